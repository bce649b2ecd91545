import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApiKey } from '../../src/auth/api-keys.ts';
import { buildTestApp, createTestDatabase } from '../helpers/env.ts';
import { freePort, startRedis } from '../helpers/processes.ts';

test('Redis killed while the API runs: 503 on /readyz and queue-backed routes, then recovery by itself', async (t) => {
  const database = await createTestDatabase();
  t.after(database.drop);
  const port = await freePort();
  let redis = await startRedis(port);
  t.after(() => redis.kill('SIGKILL'));
  const { app, db, close } = await buildTestApp(database.url, { REDIS_URL: `redis://127.0.0.1:${port}` });
  t.after(close);
  const admin = { authorization: `Bearer ${(await createApiKey(db, 'admin')).key}` };
  const submit = () => app.inject({ method: 'POST', url: '/training-jobs', headers: admin, payload: { dataset: 'sinusoid' } });

  assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
  assert.equal((await submit()).statusCode, 202);

  redis.kill('SIGKILL');
  await new Promise((resolve) => redis.once('exit', resolve));
  const started = Date.now();
  const ready = await app.inject({ method: 'GET', url: '/readyz' });
  assert.equal(ready.statusCode, 503);
  assert.equal(ready.json().checks.redis, 'down');
  const refused = await submit();
  assert.equal(refused.statusCode, 503, refused.body);
  assert.equal(refused.json().error.code, 'REDIS_UNAVAILABLE');
  assert.equal(refused.headers['retry-after'], '5');
  assert.ok(Date.now() - started < 5_000, 'requests fail fast instead of hanging');
  assert.equal(await db.trainingJob.count(), 1, 'a refused submission leaves no row behind');
  assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);

  redis = await startRedis(port);
  const deadline = Date.now() + 15_000;
  let status = 0;
  while (Date.now() < deadline && status !== 200) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    status = (await app.inject({ method: 'GET', url: '/readyz' })).statusCode;
  }
  assert.equal(status, 200, 'the API reconnects by itself');
  assert.equal((await submit()).statusCode, 202);
});
