/**
 * /predict of a session the replica holds runs while Redis confirms the session (routes.ts): the
 * task is posted to a thread before the load is sent. The load still decides: a session deleted in Redis
 * behind the replica's back gets 404, another key's request is never computed and gets 404, and a
 * session the replica does not hold is loaded first, as before.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Command } from 'ioredis';
import type { TestApp } from '../helpers/env.ts';
import { multipart } from '../helpers/multipart.ts';
import { type ServedApp, servedApp } from '../helpers/served.ts';

let served: ServedApp;
let t: TestApp;

before(async () => {
  served = await servedApp();
  ({ t } = served);
});
after(() => served.close());

const LABELS = ['a', 'b', 'c', 'd', 'e'];
async function adapt(auth: Record<string, string>): Promise<string> {
  const form = multipart([
    { name: 'labels', value: JSON.stringify(LABELS) },
    ...LABELS.map((l) => ({ name: 'images', value: served.png, filename: `${l}.png` })),
  ]);
  const res = await t.app.inject({ method: 'POST', url: '/adapt', headers: { ...auth, ...form.headers }, payload: form.payload });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().sessionId;
}
const predict = (auth: Record<string, string>, sessionId: string) => {
  const form = multipart([
    { name: 'sessionId', value: sessionId },
    { name: 'images', value: served.png, filename: 'q.png' },
  ]);
  return t.app.inject({ method: 'POST', url: '/predict', headers: { ...auth, ...form.headers }, payload: form.payload });
};

/**
 * Runs `request` while recording, in order, when a session load was sent to Redis and answered, and
 * when the pool got a predict.
 */
async function traced<T>(request: () => Promise<T>): Promise<{ events: string[]; result: T }> {
  const events: string[] = [];
  const redis = t.deps.redis;
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = ((command: Command, stream?: Parameters<typeof send>[1]) => {
    // a load names the fields it reads ('meta'); a save sends the meta itself
    const loading = command.args.some((arg) => String(arg).includes(':session:')) && command.args.some((arg) => String(arg) === 'meta');
    if (loading) {
      events.push('load sent');
      void command.promise.then(
        () => events.push('load answered'),
        () => undefined,
      );
    }
    return send(command, stream);
  }) as typeof redis.sendCommand;
  const pool = t.deps.pool;
  const original = pool.predict.bind(pool);
  pool.predict = ((request) => {
    events.push('predict dispatched');
    return original(request);
  }) as typeof pool.predict;
  try {
    return { events, result: await request() };
  } finally {
    redis.sendCommand = send;
    pool.predict = original;
  }
}

test('a held session is computed on before the load answers; the answer is the same as a cold one', async () => {
  const auth = await served.auth();
  const id = await adapt(auth); // this replica saved it: it holds θ′ and meta
  const { events: warmEvents, result: warm } = await traced(() => predict(auth, id));
  assert.equal(warm.statusCode, 200, warm.body);
  assert.deepEqual(warmEvents.slice(0, 3), ['predict dispatched', 'load sent', 'load answered'], 'posted to a thread before the load goes out');
  t.deps.sessions.cache.clear(); // now as another replica would see it
  const { events: coldEvents, result: res } = await traced(() => predict(auth, id));
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(coldEvents.slice(0, 3), ['load sent', 'load answered', 'predict dispatched']);
  assert.deepEqual(res.json().predictions, warm.json().predictions);
});

test('a held session deleted behind the replica’s back, or asked for with another key, is 404', async () => {
  const auth = await served.auth();
  const id = await adapt(auth);
  const other = await served.auth();
  const { events, result: res } = await traced(() => predict(other, id));
  assert.equal(res.statusCode, 404, res.body);
  assert.equal(res.json().error.code, 'SESSION_NOT_FOUND');
  assert.ok(!events.includes('predict dispatched'), 'another key’s request is never computed');
  assert.ok(t.deps.sessions.peek(id), 'still held');
  const keys = await t.deps.redis.keys(`*:session:${id}`);
  assert.equal(keys.length, 1);
  await t.deps.redis.del(keys[0]!); // what expiry, or a delete through a replica whose notice is late, does
  const gone = await predict(auth, id);
  assert.equal(gone.statusCode, 404, gone.body);
  assert.equal(gone.json().error.code, 'SESSION_NOT_FOUND');
  assert.equal(t.deps.sessions.peek(id), undefined, 'dropped from the cache');
});
