import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createApiKey } from '../../src/api/auth/api-keys.ts';
import { decodeSafetensors, encodeSafetensors } from '../../src/core/checkpoint/index.ts';
import { buildTestApp, createTestDatabase, type TestApp } from '../helpers/env.ts';
import { testCheckpoint } from '../helpers/models.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let t: TestApp;
let admin: Record<string, string>;
let client: Record<string, string>;

before(async () => {
  database = await createTestDatabase();
  t = await buildTestApp(database.url);
  admin = { authorization: `Bearer ${(await createApiKey(t.db, 'admin')).key}` };
  client = { authorization: `Bearer ${(await createApiKey(t.db, 'client')).key}` };
});
after(async () => {
  await t.close();
  await database.drop();
});

const upload = (payload: Uint8Array, query: string, headers = admin) =>
  t.app.inject({ method: 'POST', url: `/models?${query}`, headers: { ...headers, 'content-type': 'application/octet-stream' }, payload: Buffer.from(payload) });

test('import → new versions; promote → default; weights download is the same file', async () => {
  const bytes = await testCheckpoint({ seed: 3 });
  const first = await upload(bytes, 'name=imported');
  assert.equal(first.statusCode, 201, first.body);
  assert.equal(first.json().version, 1);
  assert.equal(first.json().isDefault, false);
  assert.equal(first.json().weights.sha256, createHash('sha256').update(bytes).digest('hex'));
  const second = await upload(await testCheckpoint({ seed: 4 }), 'name=imported&promote=true');
  assert.equal(second.json().version, 2);
  assert.equal(second.json().isDefault, true);

  const promoted = await t.app.inject({ method: 'POST', url: `/models/${first.json().id}/promote`, headers: admin });
  assert.equal(promoted.statusCode, 200);
  const list = (await t.app.inject({ method: 'GET', url: '/models', headers: client })).json().models;
  assert.deepEqual(
    list.filter((m: { isDefault: boolean }) => m.isDefault).map((m: { id: string }) => m.id),
    [first.json().id],
  );
  const byName = await t.app.inject({ method: 'GET', url: '/models/imported', headers: client });
  assert.equal(byName.json().version, 2);

  const weights = await t.app.inject({ method: 'GET', url: `/models/${first.json().id}/weights`, headers: client });
  assert.equal(weights.statusCode, 200);
  assert.equal(weights.headers['content-type'], 'application/octet-stream');
  assert.deepEqual(new Uint8Array(weights.rawPayload), bytes);
});

test('imports are validated against their own metadata (422) and admin-only (403)', async () => {
  const good = await testCheckpoint();
  assert.equal((await upload(good, 'name=x', client)).statusCode, 403);
  assert.equal((await upload(new Uint8Array([1, 2, 3]), 'name=x')).json().error.code, 'INVALID_CHECKPOINT');
  const { tensors, metadata } = decodeSafetensors(good);
  const missing = new Map(tensors);
  missing.delete('block2.conv.weight');
  const res = await upload(encodeSafetensors(missing, metadata), 'name=x');
  assert.equal(res.statusCode, 422);
  assert.match(res.json().error.message, /missing block2\.conv\.weight/);
  const poisoned = new Map(tensors);
  const w = tensors.get('head.bias')!;
  poisoned.set('head.bias', { ...w, data: Float32Array.from(w.data as Float32Array, () => Number.NaN) });
  assert.match((await upload(encodeSafetensors(poisoned, metadata), 'name=x')).json().error.message, /NaN/);
  assert.equal((await upload(good, 'name=../etc')).statusCode, 400);
  assert.equal(await t.db.model.count({ where: { name: 'x' } }), 0);
});
