/**
 * Two API replicas in one process (two apps, one PostgreSQL, one Redis, one queue prefix): what
 * one changes, the other stops caching at once, through the Redis notice channel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApiKey } from '../../src/api/auth/api-keys.ts';
import { noticeChannel } from '../../src/shared/cluster/notices.ts';
import { buildTestApp, createTestDatabase } from '../helpers/env.ts';
import { registerTestModel } from '../helpers/models.ts';
import { until } from '../helpers/wait.ts';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGP4DwABAQEAWh8mVQAAAABJRU5ErkJggg==';

test('a promotion or a session deletion on one replica reaches the other replica’s caches', async (t) => {
  const database = await createTestDatabase();
  t.after(database.drop);
  const prefix = `notices-${Math.random().toString(36).slice(2, 8)}`;
  const a = await buildTestApp(database.url, { QUEUE_PREFIX: prefix });
  t.after(a.close);
  const b = await buildTestApp(database.url, { QUEUE_PREFIX: prefix });
  t.after(b.close);
  const first = await registerTestModel(a.db, a.deps.store, { name: 'first', seed: 1 });
  const second = await registerTestModel(a.db, a.deps.store, { name: 'second', seed: 2, makeDefault: false });
  const admin = { authorization: `Bearer ${(await createApiKey(a.db, 'admin')).key}` };
  const support = { support: ['a', 'b', 'c'].map((label) => ({ label, image: PNG })) };
  const adapt = (app: typeof a) => app.app.inject({ method: 'POST', url: '/adapt', headers: admin, payload: support });
  // Both replicas' notice subscribers are on the channel (Redis counts them) before anything is published.
  const subscribers = async () => Number(((await a.deps.redis.pubsub('NUMSUB', noticeChannel(prefix))) as [string, number])[1]);
  await until('both subscribers connected', async () => (await subscribers()) >= 2);

  assert.equal((await adapt(a)).json().modelId, first.id, 'A caches the default');
  assert.equal((await adapt(b)).json().modelId, first.id, 'B caches the default');
  assert.equal((await a.app.inject({ method: 'POST', url: `/models/${second.id}/promote`, headers: admin, payload: {} })).statusCode, 200);
  // B promoted nothing itself; its cached default (30 s TTL) must go at the notice, which arrives
  // by pub/sub a moment after A's answer (B's requests no longer wait on Redis before resolving
  // the model: the rate limit's tokens are leased), so: within a second or two, not 30.
  const onB = await until(
    'B drops its cached default at the notice',
    async () => {
      const res = await adapt(b);
      assert.equal(res.statusCode, 201, res.body);
      return res.json().modelId === second.id ? res : undefined;
    },
    2_000,
  );
  await until('A sees its own promotion', async () => (await adapt(a)).json().modelId === second.id);

  const { sessionId } = onB.json();
  assert.equal((await a.app.inject({ method: 'POST', url: '/predict', headers: admin, payload: { sessionId, images: [PNG] } })).statusCode, 200);
  assert.ok(a.deps.sessions.cache.get(sessionId), 'A holds the session’s θ′');
  assert.equal((await b.app.inject({ method: 'DELETE', url: `/sessions/${sessionId}`, headers: admin })).statusCode, 204);
  await until('A drops the deleted session’s θ′', () => a.deps.sessions.cache.get(sessionId) === undefined);
});
