import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createApiKey } from '../../src/api/auth/api-keys.ts';
import { buildTestApp, createTestDatabase, type TestApp } from '../helpers/env.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let testApp: TestApp;
let adminKey: string;
let clientKey: string;

before(async () => {
  database = await createTestDatabase();
  testApp = await buildTestApp(database.url);
  // Routes that exist only in this test, to exercise the auth roles and the error handler.
  testApp.app.get('/test/admin-only', { config: { auth: 'admin' } }, async () => ({ ok: true }));
  testApp.app.get('/test/boom', { config: { auth: 'public' } }, async () => {
    throw new Error('secret internal detail /etc/hosts');
  });
  testApp.app.post(
    '/test/echo',
    {
      config: { auth: 'public' },
      schema: { body: { type: 'object', required: ['n'], properties: { n: { type: 'integer', maximum: 5 } } } },
    },
    async (request) => request.body,
  );
  adminKey = (await createApiKey(testApp.db, 'admin')).key;
  clientKey = (await createApiKey(testApp.db, 'client')).key;
});

after(async () => {
  await testApp.close();
  await database.drop();
});

function assertErrorShape(body: unknown, code: string | RegExp): void {
  const error = (body as { error: { code: string; message: string } }).error;
  assert.equal(typeof error.message, 'string');
  if (typeof code === 'string') assert.equal(error.code, code);
  else assert.match(error.code, code);
}

test('no key: 401 with a WWW-Authenticate header and the JSON error shape', async () => {
  const res = await testApp.app.inject({ method: 'GET', url: '/models' });
  assert.equal(res.statusCode, 401);
  assert.equal(res.headers['www-authenticate'], 'Bearer');
  assertErrorShape(res.json(), 'UNAUTHORIZED');
});

test('malformed, unknown and revoked keys are refused', async () => {
  for (const header of ['Basic abc', 'Bearer', 'Bearer mk_short', `Bearer mk_${'A'.repeat(43)}`]) {
    const res = await testApp.app.inject({ method: 'GET', url: '/models', headers: { authorization: header } });
    assert.equal(res.statusCode, 401, header);
    assertErrorShape(res.json(), 'UNAUTHORIZED');
  }
  const { key, id } = await createApiKey(testApp.db, 'admin');
  await testApp.db.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
  const res = await testApp.app.inject({ method: 'GET', url: '/models', headers: { authorization: `Bearer ${key}` } });
  assert.equal(res.statusCode, 401);
});

test('keys are stored hashed, never in clear', async () => {
  const rows = await testApp.db.apiKey.findMany();
  for (const row of rows) {
    assert.match(row.hash, /^[0-9a-f]{64}$/);
    assert.notEqual(row.hash, adminKey);
    assert.ok(!JSON.stringify(row).includes(clientKey.slice(10)));
  }
});

test('a client key reads models but may not call admin routes (403)', async () => {
  const models = await testApp.app.inject({ method: 'GET', url: '/models', headers: { authorization: `Bearer ${clientKey}` } });
  assert.equal(models.statusCode, 200);
  assert.deepEqual(models.json(), { models: [] });
  const admin = await testApp.app.inject({ method: 'GET', url: '/test/admin-only', headers: { authorization: `Bearer ${clientKey}` } });
  assert.equal(admin.statusCode, 403);
  assertErrorShape(admin.json(), 'FORBIDDEN');
  const ok = await testApp.app.inject({ method: 'GET', url: '/test/admin-only', headers: { authorization: `Bearer ${adminKey}` } });
  assert.equal(ok.statusCode, 200);
});

test('unknown routes: 404 ROUTE_NOT_FOUND; unknown model: 404 MODEL_NOT_FOUND', async () => {
  const route = await testApp.app.inject({ method: 'GET', url: '/nope' });
  assert.equal(route.statusCode, 404);
  assertErrorShape(route.json(), 'ROUTE_NOT_FOUND');
  const auth = { authorization: `Bearer ${clientKey}` };
  const model = await testApp.app.inject({ method: 'GET', url: '/models/00000000-0000-4000-8000-000000000000', headers: auth });
  assert.equal(model.statusCode, 404);
  assertErrorShape(model.json(), 'MODEL_NOT_FOUND');
  const bad = await testApp.app.inject({ method: 'GET', url: '/models/..%2F..%2Fetc', headers: auth });
  assert.equal(bad.statusCode, 400);
  assertErrorShape(bad.json(), 'VALIDATION_ERROR');
});

test('validation and body errors are 4xx JSON; internal errors are 500 without internals', async () => {
  const invalid = await testApp.app.inject({ method: 'POST', url: '/test/echo', payload: { n: 99 } });
  assert.equal(invalid.statusCode, 400);
  assertErrorShape(invalid.json(), 'VALIDATION_ERROR');
  const broken = await testApp.app.inject({ method: 'POST', url: '/test/echo', headers: { 'content-type': 'application/json' }, payload: '{"n":' });
  assert.equal(broken.statusCode, 400);
  assertErrorShape(broken.json(), /^[A-Z_]+$/);
  const media = await testApp.app.inject({ method: 'POST', url: '/test/echo', headers: { 'content-type': 'text/x-weird' }, payload: 'x' });
  assert.equal(media.statusCode, 415);
  assertErrorShape(media.json(), /MEDIA_TYPE/);
  const boom = await testApp.app.inject({ method: 'GET', url: '/test/boom' });
  assert.equal(boom.statusCode, 500);
  assert.deepEqual(boom.json(), { error: { code: 'INTERNAL', message: 'internal server error' } });
  assert.ok(boom.headers['x-request-id']);
});

test('GET /metrics exposes request durations by route and status', async () => {
  const res = await testApp.app.inject({ method: 'GET', url: '/metrics' });
  assert.equal(res.statusCode, 200);
  assert.match(res.body, /http_request_duration_seconds_count\{method="GET",route="\/models",status="200"\}/);
  assert.match(res.body, /bullmq_queue_jobs\{queue="training",state="waiting"\}/);
});
