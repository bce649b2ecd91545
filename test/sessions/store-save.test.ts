/**
 * SessionStore.save: one Redis command (a script that writes meta and θ′ and sets the expiry, as
 * MULTI/HSET/EXPIRE/EXEC did), an overwrite keeps the newest fields and TTL, and an unreachable
 * Redis rejects with DependencyUnavailableError.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { Command } from 'ioredis';
import { newSessionId, SessionStore, type SessionMeta } from '../../src/api/sessions/store.ts';
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
const prefix = `test-save-${Math.random().toString(36).slice(2, 10)}`;
const key = (id: string) => `${prefix}:session:${id}`;
const meta = (id: string, ttlSeconds: number): SessionMeta => ({
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

test('Redis unreachable: a save rejects with DependencyUnavailableError', async (t) => {
  const down = createApiRedis(`redis://127.0.0.1:${await freePort()}`, 300);
  down.on('error', () => undefined);
  t.after(() => down.disconnect());
  const store = new SessionStore(down, prefix);
  await assert.rejects(
    store.save(meta(newSessionId(), 60), Buffer.from([1])),
    (error) => error instanceof DependencyUnavailableError && error.dependency === 'redis',
  );
});
