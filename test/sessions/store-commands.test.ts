/**
 * SessionStore's Redis commands, counted on the wire.
 * load: one round trip (a script that reads the fields and slides the expiry), with the semantics
 * of the HMGET + EXPIRE it replaced: the owner's reads slide the expiry by the session's TTL,
 * another key's reads and reads of a session without θ′ do not.
 * save: one command (a script that writes meta and θ′ and sets the expiry, as MULTI/HSET/EXPIRE/
 * EXEC did); an overwrite keeps the newest fields and TTL; the saving replica keeps θ′ in memory.
 * A θ′ over OWN_KEY_BYTES: a SET … EX of its own key (θ′ written to the socket as it is, not
 * copied), then the script, in one tick; loads read it there and slide both keys; delete removes both; an overwrite with a small θ′ drops the key.
 * Both reject with DependencyUnavailableError when Redis is unreachable.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { Command } from 'ioredis';
import { newSessionId, OWN_KEY_BYTES, SessionStore, type SessionMeta } from '../../src/api/sessions/store.ts';
import { DependencyUnavailableError } from '../../src/shared/errors.ts';
import { ClassifiedRedis, createApiRedis } from '../../src/shared/redis.ts';
import { freePort } from '../helpers/processes.ts';
import { REDIS_URL } from '../helpers/env.ts';

/** Counts the commands it sends. */
class CountingRedis extends ClassifiedRedis {
  sent: string[] = [];
  override sendCommand(command: Command, stream?: Parameters<ClassifiedRedis['sendCommand']>[1]): unknown {
    this.sent.push(command.name);
    return super.sendCommand(command, stream);
  }
}

const redis = new CountingRedis(REDIS_URL);
after(() => redis.quit());
const prefix = `test-store-${Math.random().toString(36).slice(2, 10)}`;
const key = (id: string) => `${prefix}:session:${id}`;
const meta = (id: string, ttlSeconds = 600): SessionMeta => ({
  id,
  owner: 'key-a',
  modelId: 'm',
  modelSha256: 's',
  labels: ['x', 'y'],
  ttlSeconds,
  createdAt: new Date().toISOString(),
  steps: 1,
  support: { loss: 0, accuracy: 1, shots: { x: 1, y: 1 } },
});

test("a load is one round trip and slides the owner's session expiry by its TTL", async () => {
  const store = new SessionStore(redis, prefix);
  const id = newSessionId();
  await store.save(meta(id), Buffer.from([1, 2, 3]));
  await store.load(id, 'key-a', true); // loads the script into Redis (EVALSHA, then EVAL once)
  await redis.expire(key(id), 5);
  redis.sent = [];
  const loaded = await store.load(id, 'key-a', true);
  assert.deepEqual(redis.sent, ['evalsha'], 'one command');
  assert.deepEqual([...loaded!.theta], [1, 2, 3]);
  assert.equal(loaded!.meta.owner, 'key-a');
  const ttl = await redis.ttl(key(id));
  assert.ok(ttl > 590 && ttl <= 600, `expiry slid to the TTL: ${ttl}`);

  await redis.expire(key(id), 5);
  assert.ok(await store.load(id, 'key-a', false), 'meta only');
  assert.ok((await redis.ttl(key(id))) > 590, 'a meta-only read slides it too');
});

test("another key's read, and a read of a session whose θ′ is gone, do not slide the expiry", async () => {
  const store = new SessionStore(redis, prefix);
  const id = newSessionId();
  await store.save(meta(id), Buffer.from([1]));
  await redis.expire(key(id), 5);
  assert.equal(await store.load(id, 'key-b', true), null);
  assert.equal(await store.load(id, 'key-b', false), null);
  assert.ok((await redis.ttl(key(id))) <= 5, 'not slid by another key');

  await redis.hdel(key(id), 'theta');
  assert.equal(await store.load(id, 'key-a', true), null);
  assert.ok((await redis.ttl(key(id))) <= 5, 'not slid without θ′');
  assert.equal(await store.load(newSessionId(), 'key-a', true), null, 'no such session');
});

test('Redis unreachable: a load rejects with DependencyUnavailableError', async (t) => {
  const down = createApiRedis(`redis://127.0.0.1:${await freePort()}`, 300);
  down.on('error', () => undefined);
  t.after(() => down.disconnect());
  const store = new SessionStore(down, prefix);
  await assert.rejects(store.load(newSessionId(), 'key-a', true), (error) => error instanceof DependencyUnavailableError && error.dependency === 'redis');
});

test('a save is one command: meta, θ′ and the expiry', async () => {
  const store = new SessionStore(redis, prefix);
  await store.save(meta(newSessionId(), 60), Buffer.from([0])); // loads the script into Redis (EVALSHA, then EVAL once)
  const id = newSessionId();
  redis.sent = [];
  const expiresAt = await store.save(meta(id, 600), new Uint8Array([9, 8, 7]).subarray(1));
  assert.deepEqual(redis.sent, ['evalsha'], 'one command');
  assert.ok(Math.abs(expiresAt.getTime() - (Date.now() + 600_000)) < 5_000);
  const ttl = await redis.ttl(key(id));
  assert.ok(ttl > 590 && ttl <= 600, `expires after its TTL: ${ttl}`);
  assert.deepEqual([...((await redis.hgetBuffer(key(id), 'theta')) ?? [])], [8, 7], 'θ′ as given (a view: its own bytes only)');
  const loaded = await store.load(id, 'key-a', true);
  assert.equal(loaded?.meta.ttlSeconds, 600);
  assert.deepEqual([...loaded!.theta], [8, 7]);

  await store.save(meta(id, 30), Buffer.from([1]));
  assert.ok((await redis.ttl(key(id))) <= 30, 'an overwrite sets the new TTL');
  assert.deepEqual([...((await redis.hgetBuffer(key(id), 'theta')) ?? [])], [1]);
});

test('a large θ′ has a key of its own: SET … EX, then the script; loads, expiry, overwrite and delete cover both keys', async () => {
  const store = new SessionStore(redis, prefix);
  const other = new SessionStore(redis, prefix); // no cache: every load reads Redis
  const big = Buffer.alloc(OWN_KEY_BYTES + 1, 3);
  await store.save(meta(newSessionId(), 60), big); // loads the script into Redis
  const id = newSessionId();
  redis.sent = [];
  await store.save(meta(id, 600), big);
  assert.deepEqual(redis.sent, ['set', 'evalsha'], 'θ′ first, then meta');
  assert.equal((await redis.hgetBuffer(key(id), 'theta'))?.length, 0, 'the hash holds an empty θ′ field');
  assert.ok((await redis.ttl(`${key(id)}:theta`)) > 590, 'θ′ carries the TTL itself');
  redis.sent = [];
  const loaded = await other.load(id, 'key-a', true);
  assert.deepEqual(redis.sent, ['evalsha'], 'one command');
  assert.ok(loaded && Buffer.from(loaded.theta).equals(big));
  await redis.expire(key(id), 5);
  await redis.expire(`${key(id)}:theta`, 5);
  assert.ok(await other.load(id, 'key-a', false));
  assert.ok((await redis.ttl(key(id))) > 590 && (await redis.ttl(`${key(id)}:theta`)) > 590, 'both keys slid');
  assert.ok((await store.bytesUsed(id))! > big.length, 'bytes of both keys');
  await redis.del(`${key(id)}:theta`);
  assert.equal(await other.load(id, 'key-a', true), null, 'θ′ gone: no session');

  const replaced = newSessionId();
  await store.save(meta(replaced, 600), big);
  await store.save(meta(replaced, 600), Buffer.from([1]));
  assert.equal(await redis.exists(`${key(replaced)}:theta`), 0, 'an overwrite with a small θ′ drops the key');
  assert.deepEqual([...(await other.load(replaced, 'key-a', true))!.theta], [1]);
  const deleted = newSessionId();
  await store.save(meta(deleted, 600), big);
  assert.ok(await store.delete(deleted, 'key-a'));
  assert.equal(await redis.exists(key(deleted), `${key(deleted)}:theta`), 0, 'delete removes both keys');
});

test('a large θ′ goes to the socket as it is (never copied into a new buffer): shared memory, several saves in one tick, exact round trips', async () => {
  const store = new SessionStore(redis, prefix);
  const other = new SessionStore(redis, prefix);
  const values = [1, 2, 3].map((fill) => {
    const bytes = new Uint8Array(new SharedArrayBuffer(OWN_KEY_BYTES * 4 + fill)); // as θ′ comes from an inference thread
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + fill) & 255;
    return bytes;
  });
  const socket = (redis as unknown as { stream: { write: (chunk: unknown, ...rest: unknown[]) => boolean } }).stream;
  const write = socket.write;
  const written: unknown[] = [];
  socket.write = function (this: unknown, chunk: unknown, ...rest: unknown[]) {
    written.push(chunk);
    return write.call(this, chunk, ...rest);
  };
  const ids = values.map(() => newSessionId());
  try {
    await Promise.all(values.map((bytes, i) => store.save(meta(ids[i]!, 600), bytes)));
  } finally {
    socket.write = write;
  }
  for (const bytes of values) {
    assert.ok(
      written.some((chunk) => chunk instanceof Uint8Array && chunk.buffer === bytes.buffer && chunk.byteLength === bytes.byteLength),
      'θ′ written by reference',
    );
  }
  assert.ok(
    written.every((chunk) => !(chunk instanceof Uint8Array) || chunk.byteLength <= OWN_KEY_BYTES * 4 + 3),
    'no buffer built around it',
  );
  for (const [i, bytes] of values.entries()) {
    const loaded = await other.load(ids[i]!, 'key-a', true);
    assert.ok(loaded && Buffer.from(loaded.theta).equals(Buffer.from(bytes)), `session ${i} reads back exactly`);
    assert.ok((await redis.ttl(`${key(ids[i]!)}:theta`)) > 590);
  }
});

test('the replica that saved a session keeps its θ′: the first load reads only meta from Redis', async () => {
  const store = new SessionStore(redis, prefix, 1 << 20);
  const id = newSessionId();
  await store.save(meta(id, 600), new Uint8Array([4, 5, 6, 7]).subarray(1));
  await redis.hdel(key(id), 'theta'); // had the load asked Redis for θ′, it would find none
  assert.deepEqual([...((await store.load(id, 'key-a', true))?.theta ?? [])], [5, 6, 7]);
  const other = new SessionStore(redis, prefix, 1 << 20); // another replica: θ′ from Redis, gone here
  assert.equal(await other.load(id, 'key-a', true), null);
  await redis.del(key(id));
});

test('Redis unreachable: a save rejects with DependencyUnavailableError', async (t) => {
  const down = createApiRedis(`redis://127.0.0.1:${await freePort()}`, 300);
  down.on('error', () => undefined);
  t.after(() => down.disconnect());
  const store = new SessionStore(down, prefix);
  for (const theta of [Buffer.from([1]), Buffer.alloc(OWN_KEY_BYTES + 1)]) {
    await assert.rejects(store.save(meta(newSessionId(), 60), theta), (error) => error instanceof DependencyUnavailableError && error.dependency === 'redis');
  }
});
