import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createApiKey, hashKey } from '../../src/api/auth/api-keys.ts';
import { buildTestApp, createTestDatabase, type TestApp } from '../helpers/env.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let t: TestApp;
let admin: Record<string, string>;
let client: Record<string, string>;

before(async () => {
  database = await createTestDatabase();
  t = await buildTestApp(database.url);
  admin = { authorization: `Bearer ${(await createApiKey(t.db, 'admin', 'first admin')).key}` };
  client = { authorization: `Bearer ${(await createApiKey(t.db, 'client')).key}` };
});

after(async () => {
  await t.close();
  await database.drop();
});

test('POST /keys returns the secret once; the new key works; only its hash is stored', async () => {
  const res = await t.app.inject({ method: 'POST', url: '/keys', headers: admin, payload: { role: 'client', name: 'ci robot' } });
  assert.equal(res.statusCode, 201, res.body);
  const created = res.json();
  assert.match(created.key, /^mk_[A-Za-z0-9_-]{43}$/);
  assert.equal(created.role, 'client');
  assert.equal(created.name, 'ci robot');
  assert.equal(created.prefix, created.key.slice(0, 10));
  assert.equal(created.revokedAt, null);
  const row = await t.db.apiKey.findUniqueOrThrow({ where: { id: created.id } });
  assert.equal(row.hash, hashKey(created.key));
  const models = await t.app.inject({ method: 'GET', url: '/models', headers: { authorization: `Bearer ${created.key}` } });
  assert.equal(models.statusCode, 200);
});

test('GET /keys lists keys newest first without secrets or hashes', async () => {
  const res = await t.app.inject({ method: 'GET', url: '/keys', headers: admin });
  assert.equal(res.statusCode, 200, res.body);
  const { keys } = res.json() as { keys: Record<string, unknown>[] };
  assert.ok(keys.length >= 3);
  for (const key of keys) {
    assert.deepEqual(Object.keys(key).sort(), ['createdAt', 'id', 'name', 'prefix', 'revokedAt', 'role']);
  }
  const times = keys.map((k) => Date.parse(k.createdAt as string));
  assert.deepEqual(
    times,
    [...times].sort((a, b) => b - a),
  );
  assert.ok(keys.some((k) => k.name === 'first admin' && k.role === 'admin'));
});

test('DELETE /keys/:id revokes at once, is idempotent, and hides the key from the default list', async () => {
  const { key, id } = await createApiKey(t.db, 'client', 'to revoke');
  const headers = { authorization: `Bearer ${key}` };
  assert.equal((await t.app.inject({ method: 'GET', url: '/models', headers })).statusCode, 200, 'cached as a live key');
  const revoked = await t.app.inject({ method: 'DELETE', url: `/keys/${id}`, headers: admin });
  assert.equal(revoked.statusCode, 200, revoked.body);
  assert.equal(revoked.json().id, id);
  assert.ok(Date.parse(revoked.json().revokedAt) > 0);
  const refused = await t.app.inject({ method: 'GET', url: '/models', headers });
  assert.equal(refused.statusCode, 401, 'the auth cache forgot the revoked key');
  assert.equal(refused.json().error.code, 'UNAUTHORIZED');
  const again = await t.app.inject({ method: 'DELETE', url: `/keys/${id}`, headers: admin });
  assert.equal(again.statusCode, 200);
  assert.equal(again.json().revokedAt, revoked.json().revokedAt, 'keeps its first revocation time');
  const live = (await t.app.inject({ method: 'GET', url: '/keys', headers: admin })).json().keys as { id: string }[];
  assert.ok(!live.some((k) => k.id === id));
  const all = (await t.app.inject({ method: 'GET', url: '/keys?includeRevoked=true', headers: admin })).json().keys as { id: string }[];
  assert.ok(all.some((k) => k.id === id));
});

test('key routes are admin only and validate their input', async () => {
  const forbidden = await t.app.inject({ method: 'POST', url: '/keys', headers: client, payload: { role: 'admin' } });
  assert.equal(forbidden.statusCode, 403);
  assert.equal(forbidden.json().error.code, 'FORBIDDEN');
  assert.equal((await t.app.inject({ method: 'GET', url: '/keys', headers: client })).statusCode, 403);
  const badRole = await t.app.inject({ method: 'POST', url: '/keys', headers: admin, payload: { role: 'root' } });
  assert.equal(badRole.statusCode, 400);
  assert.equal(badRole.json().error.code, 'VALIDATION_ERROR');
  const missing = await t.app.inject({ method: 'DELETE', url: '/keys/00000000-0000-4000-8000-000000000000', headers: admin });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().error.code, 'API_KEY_NOT_FOUND');
  const notUuid = await t.app.inject({ method: 'DELETE', url: '/keys/abc', headers: admin });
  assert.equal(notUuid.statusCode, 400);
});
