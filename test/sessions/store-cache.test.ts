import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import { newSessionId, SessionStore, type SessionMeta } from '../../src/api/sessions/store.ts';
import { REDIS_URL } from '../helpers/env.ts';

const redis = new Redis(REDIS_URL);
after(() => redis.quit());
const prefix = `test-cache-${Math.random().toString(36).slice(2, 10)}`;
const meta = (id: string): SessionMeta => ({
  id,
  owner: 'key-a',
  modelId: 'm',
  modelSha256: 's',
  labels: ['x', 'y'],
  ttlSeconds: 60,
  createdAt: new Date().toISOString(),
  steps: 1,
  support: { loss: 0, accuracy: 1, shots: { x: 1, y: 1 } },
});

test('θ′ is served from the in-process cache, but a session deleted or expired in Redis is gone at once', async () => {
  const store = new SessionStore(redis, prefix, 1 << 20);
  const other = new SessionStore(redis, prefix, 1 << 20); // another API replica
  const id = newSessionId();
  await store.save(meta(id), Buffer.from([1, 2, 3]));
  assert.deepEqual([...(await store.load(id, 'key-a', true))!.theta], [1, 2, 3]);
  assert.equal(store.cache.size, 1);
  // Proof that the second read does not fetch θ′: change it behind the store's back.
  await redis.hset(`${prefix}:session:${id}`, 'theta', Buffer.from([9]));
  assert.deepEqual([...(await store.load(id, 'key-a', true))!.theta], [1, 2, 3]);
  assert.equal(await store.load(id, 'key-b', true), null, 'another key never sees it, cached or not');
  assert.ok(await other.delete(id, 'key-a'));
  assert.equal(await store.load(id, 'key-a', true), null, 'deleted through another replica');
  assert.equal(store.cache.size, 0);

  const expiring = newSessionId();
  await store.save(meta(expiring), Buffer.from([4]));
  await store.load(expiring, 'key-a', true);
  await redis.del(`${prefix}:session:${expiring}`); // what expiry does
  assert.equal(await store.load(expiring, 'key-a', true), null);
});
