import { test } from 'node:test';
import assert from 'node:assert/strict';
import SwaggerParser from '@apidevtools/swagger-parser';
import { loadOpenApi } from '../../src/api/plugins/docs.ts';
import { buildTestApp, createTestDatabase } from '../helpers/env.ts';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** `/models/:id` → `/models/{id}` */
function toOpenApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

test('openapi.yaml is valid OpenAPI 3.1', async () => {
  const document = await loadOpenApi();
  assert.equal(document.openapi, '3.1.0');
  await SwaggerParser.validate(structuredClone(document) as never);
});

test('every route the server registers is in openapi.yaml, and vice versa', async (t) => {
  const database = await createTestDatabase();
  t.after(database.drop);
  const { app, close } = await buildTestApp(database.url);
  t.after(close);
  await app.ready();
  const served = new Set(app.routeTable.filter((r) => !r.hidden).map((r) => `${r.method} ${toOpenApiPath(r.url)}`));
  const paths = (await loadOpenApi()).paths as Record<string, Record<string, unknown>>;
  const documented = new Set(
    Object.entries(paths).flatMap(([p, item]) => Object.keys(item).filter((m) => METHODS.includes(m)).map((m) => `${m.toUpperCase()} ${p}`)),
  );
  assert.deepEqual([...served].filter((r) => !documented.has(r)), [], 'served but not documented');
  assert.deepEqual([...documented].filter((r) => !served.has(r)), [], 'documented but not served');
});

test('GET /docs serves the Swagger UI without a key', async (t) => {
  const database = await createTestDatabase();
  t.after(database.drop);
  const { app, close } = await buildTestApp(database.url);
  t.after(close);
  const page = await app.inject({ method: 'GET', url: '/docs/' });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /swagger/i);
  const spec = await app.inject({ method: 'GET', url: '/docs/json' });
  assert.equal(spec.statusCode, 200);
  assert.equal(spec.json().info.title, 'MAML few-shot adaptation service');
  // "Try it out" targets the page's own origin (a relative server), never the file's localhost:3000.
  assert.deepEqual(spec.json().servers.map((s: { url: string }) => s.url), ['/']);
});
