import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApiKey } from '../../src/api/auth/api-keys.ts';
import { buildTestApp, createTestDatabase } from '../helpers/env.ts';

/** Waits out the end of a minute, so that the test's requests fall in one fixed window. */
async function startOfWindow(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 5_000) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

test('each key gets RATE_LIMIT_PER_MINUTE requests a minute, then 429 RATE_LIMITED with Retry-After; public routes are not limited', async (t) => {
  const database = await createTestDatabase();
  const app = await buildTestApp(database.url, { RATE_LIMIT_PER_MINUTE: '3' });
  t.after(async () => (await app.close(), await database.drop()));
  const auth = async (role: 'client' | 'admin') => ({ authorization: `Bearer ${(await createApiKey(app.db, role)).key}` });
  const [first, second] = [await auth('client'), await auth('client')];
  await startOfWindow();
  for (let i = 0; i < 3; i++) {
    const res = await app.app.inject({ method: 'GET', url: '/models', headers: first });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['ratelimit-limit'], '3');
    assert.equal(res.headers['ratelimit-remaining'], String(2 - i));
  }
  const refused = await app.app.inject({ method: 'GET', url: '/models', headers: first });
  assert.equal(refused.statusCode, 429);
  assert.equal(refused.json().error.code, 'RATE_LIMITED');
  const retryAfter = Number(refused.headers['retry-after']);
  assert.ok(retryAfter >= 1 && retryAfter <= 60, `retry-after ${retryAfter}`);
  assert.equal((await app.app.inject({ method: 'GET', url: '/models', headers: second })).statusCode, 200, 'another key has its own budget');
  for (let i = 0; i < 5; i++) assert.equal((await app.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  assert.equal((await app.app.inject({ method: 'GET', url: '/models' })).statusCode, 401, 'no key: refused by auth, not counted');
});

test('with Redis unreachable the limit is not checked: keyed requests go through (fail open)', async (t) => {
  const database = await createTestDatabase();
  const app = await buildTestApp(database.url, { RATE_LIMIT_PER_MINUTE: '1', REDIS_URL: 'redis://127.0.0.1:1' });
  t.after(async () => (await app.close(), await database.drop()));
  const headers = { authorization: `Bearer ${(await createApiKey(app.db, 'client')).key}` };
  for (let i = 0; i < 3; i++) assert.equal((await app.app.inject({ method: 'GET', url: '/models', headers })).statusCode, 200);
});
