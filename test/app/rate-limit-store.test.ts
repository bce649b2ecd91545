/**
 * The leased rate-limit store (src/api/plugins/rate-limit-store.ts) on the machine's Redis: one
 * Redis call per lease, not per request; tokens counted over replicas (never more than `max` a
 * window, at worst a lease's tokens left unused per replica); concurrent requests share one lease
 * call; a new window starts a new count; past the limit a replica refuses without Redis; Redis
 * errors reach the caller (the plugin fails open).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import { LeasedRedisStore, leaseSize } from '../../src/api/plugins/rate-limit-store.ts';
import { REDIS_URL } from '../helpers/env.ts';

const redis = new Redis(REDIS_URL);
const prefix = `test-${Math.random().toString(36).slice(2, 10)}:ratelimit:`;
after(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

const incr = (store: LeasedRedisStore, key: string, windowMs: number, max: number) =>
  new Promise<{ current: number; ttl: number }>((resolve, reject) =>
    store.incr(key, (error, result) => (error ? reject(error) : resolve(result!)), windowMs, max),
  );

/**
 * Counts the store's Redis calls on a client of its own, after one lease on another key (ioredis's
 * first EVALSHA of a script meets NOSCRIPT and is sent again as EVAL).
 */
async function counted(): Promise<{ store: LeasedRedisStore; calls: () => number }> {
  const client = new Redis(REDIS_URL);
  let calls = 0;
  const send = client.sendCommand.bind(client);
  client.sendCommand = ((command, stream) => {
    if (command.args.some((arg) => String(arg).startsWith(prefix))) calls++;
    return send(command, stream);
  }) as typeof client.sendCommand;
  after(() => client.disconnect());
  const store = new LeasedRedisStore(client, prefix);
  await incr(store, `warm-${Math.random()}`, 1000, 10);
  calls = 0;
  return { store, calls: () => calls };
}

test('lease size: max/100 tokens, 1 to 100 (under 200 a minute every request asks Redis)', () => {
  assert.deepEqual([3, 199, 200, 600, 10_000, 1_000_000].map(leaseSize), [1, 1, 2, 6, 100, 100]);
});

test('one Redis call per lease: 25 requests with max 1000 take 3 leases of 10, ranked 1…25', async () => {
  const { store, calls } = await counted();
  const seen: number[] = [];
  for (let i = 0; i < 25; i++) {
    const { current, ttl } = await incr(store, 'one', 60_000, 1000);
    seen.push(current);
    assert.ok(ttl > 59_000 && ttl <= 60_000, `ttl ${ttl}`);
  }
  assert.deepEqual(
    seen,
    Array.from({ length: 25 }, (_, i) => i + 1),
  );
  assert.equal(calls(), 3);
  assert.equal(Number(await redis.get(`${prefix}one`)), 30, 'the tokens leased are counted in Redis');
});

test('concurrent requests with no token left share one lease call', async () => {
  const { store, calls } = await counted();
  const results = await Promise.all(Array.from({ length: 8 }, () => incr(store, 'burst', 60_000, 1000)));
  assert.deepEqual(
    results.map((r) => r.current).sort((a, b) => a - b),
    [1, 2, 3, 4, 5, 6, 7, 8],
  );
  assert.equal(calls(), 1);
});

test('two replicas never let more than max through a window, and at worst a lease per replica less', async () => {
  const max = 250; // leases of 2
  const a = (await counted()).store;
  const b = (await counted()).store;
  let allowed = 0;
  for (let i = 0; i < 400; i++) {
    const { current } = await incr(i % 3 === 0 ? a : b, 'shared', 60_000, max);
    if (current <= max) allowed++;
  }
  assert.ok(allowed <= max, `${allowed} allowed`);
  assert.ok(allowed >= max - 2 * (leaseSize(max) - 1), `${allowed} allowed`);
});

test('past the limit a replica refuses without Redis until the window ends; then a new count starts', async () => {
  const { store, calls } = await counted();
  for (let i = 1; i <= 3; i++) assert.equal((await incr(store, 'window', 300, 3)).current, i);
  assert.equal(calls(), 3);
  const refused = await incr(store, 'window', 300, 3);
  assert.ok(refused.current > 3);
  assert.ok(refused.ttl > 0 && refused.ttl <= 300);
  assert.equal(calls(), 3, 'refused locally');
  await new Promise((resolve) => setTimeout(resolve, 350));
  assert.equal((await incr(store, 'window', 300, 3)).current, 1, 'a new window');
  assert.equal(calls(), 4);
});

test('a Redis error reaches the caller (the plugin then lets the request through)', async () => {
  const broken = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  after(() => broken.disconnect());
  const store = new LeasedRedisStore(broken, prefix);
  await assert.rejects(incr(store, 'down', 60_000, 10));
  await assert.rejects(incr(store, 'down', 60_000, 10), 'and again: nothing cached from a failed lease');
});
