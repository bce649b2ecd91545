/**
 * /adapt and /predict read a multipart upload while the rate limit waits for Redis (the read starts
 * in preValidation, the limit's check is the preHandler): the body is read before the limit's
 * answer comes back. The limit still holds: a key over it gets 429 RATE_LIMITED, upload or not.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Command } from 'ioredis';
import { createApiKey } from '../../src/api/auth/api-keys.ts';
import type { TestApp } from '../helpers/env.ts';
import { type ServedApp, servedApp } from '../helpers/served.ts';
import { multipart } from '../helpers/multipart.ts';

let served: ServedApp;
let t: TestApp;
let png: Buffer;

before(async () => {
  served = await servedApp({ RATE_LIMIT_PER_MINUTE: '3' });
  ({ t, png } = served);
});

after(() => served.close());

const body = () =>
  multipart([
    { name: 'labels', value: JSON.stringify(['a', 'b', 'c', 'd', 'e']) },
    ...[0, 1, 2, 3, 4].map((i) => ({ name: 'images', value: png, filename: `${i}.png` })),
  ]);

test("the upload is read while the rate limit's Redis command is pending; past the limit, 429", async () => {
  const auth = { authorization: `Bearer ${(await createApiKey(t.db, 'client')).key}` };
  // Hold the rate limit's command until the request's body has been read (or 2 s, which fails the test).
  const redis = t.deps.redis;
  const send = redis.sendCommand.bind(redis);
  let bodyRead: () => void = () => undefined;
  const released: string[] = [];
  redis.sendCommand = ((command: Command, stream?: Parameters<typeof send>[1]) => {
    if (!command.args.some((arg) => String(arg).includes(':ratelimit:'))) return send(command, stream);
    const gate = new Promise<string>((resolve) => {
      bodyRead = () => resolve('body read');
      setTimeout(() => resolve('timeout'), 2000).unref();
    });
    void gate.then((why) => {
      released.push(why);
      send(command, stream);
    });
    return command.promise;
  }) as typeof redis.sendCommand;
  t.app.addHook('onRequest', async (request) => {
    request.raw.once('end', () => bodyRead());
  });
  after(() => {
    redis.sendCommand = send;
  });

  for (let i = 0; i < 3; i++) {
    const form = body();
    const res = await t.app.inject({ method: 'POST', url: '/adapt', headers: { ...auth, ...form.headers }, payload: form.payload });
    assert.equal(res.statusCode, 201, res.body);
  }
  assert.deepEqual(released, ['body read', 'body read', 'body read'], "the body was read before the limit's answer");

  const form = body();
  const refused = await t.app.inject({ method: 'POST', url: '/adapt', headers: { ...auth, ...form.headers }, payload: form.payload });
  assert.equal(refused.statusCode, 429, refused.body);
  assert.equal(refused.json().error.code, 'RATE_LIMITED');
  assert.ok(refused.headers['retry-after']);
  assert.equal(released.length, 3, 'the replica spent the window’s last token: it refuses without asking Redis again');
  redis.sendCommand = send;
  const support = ['a', 'b', 'c', 'd', 'e'].map((label) => ({ label, image: png.toString('base64') }));
  const json = await t.app.inject({ method: 'POST', url: '/adapt', headers: auth, payload: { support } });
  assert.equal(json.statusCode, 429, 'JSON bodies are limited too');
});
