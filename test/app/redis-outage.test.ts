import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApiKey } from '../../src/api/auth/api-keys.ts';
import { buildTestApp, createTestDatabase } from '../helpers/env.ts';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { registerTestModel } from '../helpers/models.ts';
import { freePort, startRedis } from '../helpers/processes.ts';
import { until } from '../helpers/wait.ts';

/** Everything Redis has written to its append-only files under `dir` so far. */
async function aofContents(dir: string): Promise<string> {
  const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((f) => f.isFile());
  const parts = await Promise.all(files.map((f) => readFile(path.join(f.parentPath, f.name), 'latin1')));
  return parts.join('');
}

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGP4DwABAQEAWh8mVQAAAABJRU5ErkJggg==';

test('Redis killed while the API runs: 503 on /readyz and queue-backed routes, recovery by itself, and sessions kept by its AOF', async (t) => {
  const database = await createTestDatabase();
  t.after(database.drop);
  const port = await freePort();
  const aof = await mkdtemp(path.join(os.tmpdir(), 'maml-redis-aof-'));
  let redis = await startRedis(port, aof);
  t.after(() => redis.kill('SIGKILL'));
  const { app, db, deps, close } = await buildTestApp(database.url, { REDIS_URL: `redis://127.0.0.1:${port}`, SESSION_CACHE_MB: '0' });
  t.after(close);
  const admin = { authorization: `Bearer ${(await createApiKey(db, 'admin')).key}` };
  const submit = () => app.inject({ method: 'POST', url: '/training-jobs', headers: admin, payload: { dataset: 'sinusoid' } });
  await registerTestModel(db, deps.store);
  const session = await app.inject({
    method: 'POST',
    url: '/adapt',
    headers: admin,
    payload: { support: ['a', 'b', 'c', 'd', 'e'].map((label) => ({ label, image: PNG })) },
  });
  assert.equal(session.statusCode, 201, session.body);
  const sessionId = session.json().sessionId as string;
  // appendfsync everysec, as in docker-compose.yml: wait until the session is in the append-only file.
  await until('the session to reach the AOF', async () => (await aofContents(aof)).includes(sessionId), 5_000, 100);

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

  redis = await startRedis(port, aof);
  const deadline = Date.now() + 15_000;
  let status = 0;
  while (Date.now() < deadline && status !== 200) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    status = (await app.inject({ method: 'GET', url: '/readyz' })).statusCode;
  }
  assert.equal(status, 200, 'the API reconnects by itself');
  assert.equal((await submit()).statusCode, 202);
  const kept = await app.inject({ method: 'POST', url: '/predict', headers: admin, payload: { sessionId, images: [PNG] } });
  assert.equal(kept.statusCode, 200, `the session written before the crash survives it: ${kept.body}`);
});
