import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApiKey } from '../../src/api/auth/api-keys.ts';
import { buildTestApp, createTestDatabase } from '../helpers/env.ts';
import { registerTestModel } from '../helpers/models.ts';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGP4DwABAQEAWh8mVQAAAABJRU5ErkJggg=='; // 1×1 gray

test('PostgreSQL down: readiness goes red, adapt/predict on a loaded model keep working, job submission answers 503; then recovery', async (t) => {
  const database = await createTestDatabase();
  t.after(database.drop);
  const url = new URL(database.url);
  const proxy = await startTcpProxy(Number(url.port || 5432), url.hostname);
  t.after(proxy.close);
  url.port = String(proxy.port);
  const { app, db, deps, close } = await buildTestApp(url.toString());
  t.after(close);
  await registerTestModel(db, deps.store);
  const client = { authorization: `Bearer ${(await createApiKey(db, 'client')).key}` };
  const admin = { authorization: `Bearer ${(await createApiKey(db, 'admin')).key}` };
  const adapt = () =>
    app.inject({ method: 'POST', url: '/adapt', headers: client, payload: { support: ['a', 'b', 'c', 'd', 'e'].map((label) => ({ label, image: PNG })) } });
  const submit = () => app.inject({ method: 'POST', url: '/training-jobs', headers: admin, payload: { dataset: 'sinusoid' } });
  const first = await adapt();
  assert.equal(first.statusCode, 201, first.body);
  assert.equal((await app.inject({ method: 'GET', url: '/models', headers: admin })).statusCode, 200); // the admin key is known too

  await proxy.cut();
  const started = Date.now();
  const ready = await app.inject({ method: 'GET', url: '/readyz' });
  assert.equal(ready.statusCode, 503, ready.body);
  assert.equal(ready.json().checks.postgres, 'down');
  const during = await adapt();
  assert.equal(during.statusCode, 201, `adapt with the loaded default model: ${during.body}`);
  const predicted = await app.inject({ method: 'POST', url: '/predict', headers: client, payload: { sessionId: during.json().sessionId, images: [PNG] } });
  assert.equal(predicted.statusCode, 200, predicted.body);
  const refused = await submit();
  assert.equal(refused.statusCode, 503, refused.body);
  assert.equal(refused.json().error.code, 'POSTGRES_UNAVAILABLE');
  assert.ok(refused.headers['retry-after']);
  assert.ok(Date.now() - started < 15_000, `requests fail fast (${Date.now() - started} ms)`);

  await proxy.restore();
  const deadline = Date.now() + 15_000;
  let status = 0;
  while (Date.now() < deadline && status !== 200) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    status = (await app.inject({ method: 'GET', url: '/readyz' })).statusCode;
  }
  assert.equal(status, 200, 'readiness recovers by itself');
  assert.equal((await submit()).statusCode, 202);
});
