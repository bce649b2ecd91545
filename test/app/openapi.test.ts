/**
 * The contract is written once (src/api/routes/<resource>/schemas.ts): openapi.yaml must be exactly
 * what `npm run generate:openapi` writes from it, a valid OpenAPI 3.1 document, and every route the
 * server registers must carry its contract (so its validation and serialisation are the documented
 * schemas), and vice versa.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import SwaggerParser from '@apidevtools/swagger-parser';
import { buildOpenApi } from '../../src/api/contract/openapi.ts';
import { loadOpenApi, openApiDocument, openApiYaml, OPENAPI_PATH } from '../../src/api/plugins/docs.ts';
import { apiContracts, contractLimits, EXTRA_SCHEMAS } from '../../src/api/routes/contracts.ts';
import { buildTestApp, createTestDatabase } from '../helpers/env.ts';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** `/models/:id` → `/models/{id}` */
function toOpenApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

test('openapi.yaml is what `npm run generate:openapi` writes from the route schemas', async () => {
  const committed = await readFile(OPENAPI_PATH, 'utf8');
  const generated = openApiYaml();
  if (generated !== committed) {
    const a = committed.split('\n');
    const b = generated.split('\n');
    const line = a.findIndex((l, i) => l !== b[i]);
    assert.fail(
      `openapi.yaml differs from the route schemas from line ${line + 1}:\n  committed: ${a[line]}\n  generated: ${b[line]}\nrun: npm run generate:openapi && npm run generate:client`,
    );
  }
});

test('openapi.yaml is valid OpenAPI 3.1', async () => {
  const document = await loadOpenApi();
  assert.equal(document.openapi, '3.1.0');
  await SwaggerParser.validate(structuredClone(document) as never);
});

test('a schema change shows in the generated document (the comparison above can fail)', () => {
  const contracts = apiContracts({ maxAdaptSteps: 50, sessionMaxTtlSeconds: 86400 });
  const changed = apiContracts({ maxAdaptSteps: 7, sessionMaxTtlSeconds: 86400 });
  assert.notDeepEqual(buildOpenApi(changed, EXTRA_SCHEMAS), buildOpenApi(contracts, EXTRA_SCHEMAS));
  assert.match(JSON.stringify(buildOpenApi(changed, EXTRA_SCHEMAS)), /"maximum":7/);
});

test('every route the server registers carries its contract and is in openapi.yaml, and vice versa', async (t) => {
  const database = await createTestDatabase();
  t.after(database.drop);
  const { app, deps, close } = await buildTestApp(database.url);
  t.after(close);
  await app.ready();
  const routes = app.routeTable.filter((r) => !r.hidden);
  assert.deepEqual(
    routes.filter((r) => !r.contract).map((r) => `${r.method} ${r.url}`),
    [],
    'registered without a contract',
  );
  const served = new Set(routes.map((r) => `${r.method} ${toOpenApiPath(r.url)}`));
  const paths = (await loadOpenApi()).paths as Record<string, Record<string, unknown>>;
  const documented = new Set(
    Object.entries(paths).flatMap(([p, item]) =>
      Object.keys(item)
        .filter((m) => METHODS.includes(m))
        .map((m) => `${m.toUpperCase()} ${p}`),
    ),
  );
  assert.deepEqual(
    [...served].filter((r) => !documented.has(r)),
    [],
    'served but not documented',
  );
  assert.deepEqual(
    [...documented].filter((r) => !served.has(r)),
    [],
    'documented but not served',
  );
  // The contracts the routes were registered with give the document this server serves.
  const order = apiContracts(contractLimits(deps.config)).map((c) => `${c.method} ${c.url}`);
  const registered = routes.map((r) => r.contract!).sort((a, b) => order.indexOf(`${a.method} ${a.url}`) - order.indexOf(`${b.method} ${b.url}`));
  assert.deepEqual(buildOpenApi(registered, EXTRA_SCHEMAS), openApiDocument(contractLimits(deps.config)));
});

test('GET /docs serves the Swagger UI without a key', async (t) => {
  const database = await createTestDatabase();
  t.after(database.drop);
  const { app, close } = await buildTestApp(database.url, { MAX_ADAPT_STEPS: '12' });
  t.after(close);
  const page = await app.inject({ method: 'GET', url: '/docs/' });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /swagger/i);
  const spec = await app.inject({ method: 'GET', url: '/docs/json' });
  assert.equal(spec.statusCode, 200);
  assert.equal(spec.json().info.title, 'MAML few-shot adaptation service');
  // "Try it out" targets the page's own origin (a relative server), never the file's localhost:3000.
  assert.deepEqual(
    spec.json().servers.map((s: { url: string }) => s.url),
    ['/'],
  );
  // The served document states this server's limits.
  assert.equal(spec.json().paths['/adapt'].post.requestBody.content['application/json'].schema.properties.steps.maximum, 12);
});
