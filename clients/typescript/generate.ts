/**
 * Generates the client's types from openapi.yaml with openapi-typescript: `npm run
 * generate:client` writes them to openapi-types.ts (committed); generate.test.ts fails when the
 * committed file and openapi.yaml disagree. Binary bodies (`format: binary`) become `Blob`.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';

export const OPENAPI_URL = new URL('../../openapi.yaml', import.meta.url);
export const GENERATED_TYPES_URL = new URL('./openapi-types.ts', import.meta.url);

const HEADER = `/**
 * Generated from openapi.yaml by openapi-typescript (\`npm run generate:client\`). Do not edit:
 * change openapi.yaml and regenerate (a test fails while they disagree).
 */

`;

const BLOB = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier('Blob'));

/** The TypeScript source of the types for the OpenAPI document at `spec`. */
export async function generateApiTypes(spec: URL = OPENAPI_URL): Promise<string> {
  const ast = await openapiTS(spec, {
    silent: true,
    // A property with a default is optional to send (TrainingConfigInput is mostly defaults).
    defaultNonNullable: false,
    transform(schema) {
      if (schema.format === 'binary') return BLOB;
      return undefined;
    },
  });
  return HEADER + astToString(ast);
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const source = await generateApiTypes();
  await writeFile(GENERATED_TYPES_URL, source);
  console.log(`wrote ${fileURLToPath(GENERATED_TYPES_URL)} (${source.length} characters)`);
}
