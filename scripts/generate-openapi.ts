/**
 * `npm run generate:openapi`: writes openapi.yaml from the route contracts (src/api/routes/<resource>/schemas.ts,
 * listed in src/api/routes/contracts.ts) with the configuration's default limits. Then run
 * `npm run generate:client` for the TypeScript client's types. test/app/openapi.test.ts fails
 * while the committed file differs from what this writes.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { openApiYaml, OPENAPI_PATH } from '../src/api/plugins/docs.ts';

const text = openApiYaml();
await writeFile(OPENAPI_PATH, text);
console.log(`wrote ${fileURLToPath(OPENAPI_PATH)} (${text.split('\n').length} lines)`);
