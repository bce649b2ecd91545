import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateApiTypes, GENERATED_TYPES_URL, OPENAPI_URL } from './generate.ts';

test('the committed client types are what openapi.yaml generates (run `npm run generate:client` after changing it)', async () => {
  const committed = await readFile(GENERATED_TYPES_URL, 'utf8');
  const generated = await generateApiTypes();
  if (generated !== committed) {
    const a = committed.split('\n');
    const b = generated.split('\n');
    const line = a.findIndex((l, i) => l !== b[i]);
    assert.fail(
      `clients/typescript/openapi-types.ts is out of date with openapi.yaml from line ${line + 1}:\n  committed: ${a[line]}\n  generated: ${b[line]}\nrun: npm run generate:client`,
    );
  }
});

test('a change to the document changes the generated types (the comparison above can fail)', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'maml-openapi-'));
  try {
    const spec = (await readFile(OPENAPI_URL, 'utf8')).replace(
      '    ApiKey:\n      type: object\n',
      '    ApiKey:\n      type: object\n      description: changed\n',
    );
    const changed = path.join(dir, 'openapi.yaml');
    await writeFile(changed, spec.replace('prefix: { type: string,', 'prefix: { type: integer,'));
    const generated = await generateApiTypes(pathToFileURL(changed));
    assert.notEqual(generated, await readFile(GENERATED_TYPES_URL, 'utf8'));
    assert.match(generated, /prefix: number;/);
    assert.match(generated, /Blob\[\]/, 'binary parts are typed as Blob');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
