import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { buildTestApp, createTestDatabase, databaseUrlFor } from '../helpers/env.ts';

test('/healthz and /readyz answer without a key when everything is up', async (t) => {
  const database = await createTestDatabase();
  t.after(database.drop);
  const { app, deps, close } = await buildTestApp(database.url);
  t.after(close);
  // "Everything is up" once the app's connections are: wait for them (events), not for a fixed time,
  // so that a loaded machine's slow first connect does not read as a dependency down.
  if (deps.redis.status !== 'ready') await once(deps.redis, 'ready');
  await deps.db.$queryRaw`SELECT 1`;
  const health = await app.inject({ method: 'GET', url: '/healthz' });
  assert.equal(health.statusCode, 200);
  assert.equal(health.json().status, 'ok');
  const ready = await app.inject({ method: 'GET', url: '/readyz' });
  assert.equal(ready.statusCode, 200);
  assert.deepEqual(ready.json(), { status: 'ready', checks: { postgres: 'up', redis: 'up' } });
});

test('/readyz is 503 naming postgres when PostgreSQL cannot be reached', async (t) => {
  const url = new URL(databaseUrlFor('test'));
  url.port = '1'; // nothing listens there
  const { app, close } = await buildTestApp(url.toString());
  t.after(close);
  const ready = await app.inject({ method: 'GET', url: '/readyz' });
  assert.equal(ready.statusCode, 503);
  assert.deepEqual(ready.json(), { status: 'unavailable', checks: { postgres: 'down', redis: 'up' } });
  assert.equal(ready.headers['retry-after'], '5');
  assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
});

test('/readyz is 503 naming redis when Redis cannot be reached, and answers fast', async (t) => {
  const database = await createTestDatabase();
  t.after(database.drop);
  const { app, close } = await buildTestApp(database.url, { REDIS_URL: 'redis://127.0.0.1:1' });
  t.after(close);
  const started = Date.now();
  const ready = await app.inject({ method: 'GET', url: '/readyz' });
  assert.equal(ready.statusCode, 503);
  assert.deepEqual(ready.json(), { status: 'unavailable', checks: { postgres: 'up', redis: 'down' } });
  assert.ok(Date.now() - started < 3_000, 'readiness must not hang on a dead Redis');
});
