import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { ApiError, retryAfterSeconds, UnreachableError } from './errors.ts';
import { backoffMs, withRetries, type RetryInfo } from './retry.ts';
import { MamlClient } from './client.ts';

/** A server answering each request with the next of `answers`; records what it received. */
async function scriptedServer(answers: { status: number; headers?: Record<string, string>; body?: unknown }[]) {
  const received: { method: string; url: string; body: string }[] = [];
  const server = http.createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    received.push({ method: req.method!, url: req.url!, body });
    const answer = answers[Math.min(received.length - 1, answers.length - 1)]!;
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(JSON.stringify(answer.body ?? {}));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const overloaded = (retryAfter?: string) => ({
  status: 503,
  headers: (retryAfter === undefined ? {} : { 'retry-after': retryAfter }) as Record<string, string>,
  body: { error: { code: 'OVERLOADED', message: 'inference queue is full' } },
});

test('503 with Retry-After: waits what the server asked, resends the whole multipart body, then succeeds', async (t) => {
  const server = await scriptedServer([
    overloaded('2'),
    overloaded('1'),
    { status: 200, body: { predictions: [], timings: { queueMs: 0, decodeMs: 0, predictMs: 0 } } },
  ]);
  t.after(server.close);
  const slept: number[] = [];
  const retries: RetryInfo[] = [];
  const client = new MamlClient({ url: server.url, key: 'k', retry: { sleep: async (ms) => void slept.push(ms), onRetry: (i) => retries.push(i) } });
  const result = await client.predict('s'.repeat(24), [new Uint8Array([1, 2, 3])]);
  assert.deepEqual(result.predictions, []);
  assert.deepEqual(slept, [2000, 1000]);
  assert.deepEqual(
    retries.map((r) => [r.attempt, r.status]),
    [
      [1, 503],
      [2, 503],
    ],
  );
  assert.equal(server.received.length, 3);
  for (const r of server.received) {
    assert.match(r.body, /name="sessionId"\r\n\r\nssssssssssssssssssssssss/);
    assert.match(r.body, /name="images"; filename="image-0"/);
  }
});

test('429 without Retry-After backs off exponentially; after maxAttempts the ApiError carries code, status and Retry-After', async (t) => {
  const server = await scriptedServer([{ status: 429, body: { error: { code: 'RATE_LIMITED', message: 'slow down' } } }, overloaded('3')]);
  t.after(server.close);
  const slept: number[] = [];
  const client = new MamlClient({ url: server.url, retry: { maxAttempts: 3, baseDelayMs: 100, sleep: async (ms) => void slept.push(ms), random: () => 1 } });
  const error = await client.listModels().then(
    () => assert.fail('no error'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ApiError);
  assert.equal(error.status, 503);
  assert.equal(error.code, 'OVERLOADED');
  assert.equal(error.message, 'inference queue is full');
  assert.equal(error.retryAfterSeconds, 3);
  assert.deepEqual(slept, [100, 3000]);
  assert.equal(server.received.length, 3);
});

test('a Retry-After longer than maxDelayMs is not waited for; other errors are not retried', async (t) => {
  const server = await scriptedServer([overloaded('120')]);
  t.after(server.close);
  const client = new MamlClient({ url: server.url, retry: { maxDelayMs: 10_000, sleep: async () => assert.fail('must not sleep') } });
  await assert.rejects(client.getModel('x'), (e: unknown) => e instanceof ApiError && e.retryAfterSeconds === 120);
  assert.equal(server.received.length, 1);
  const notFound = await scriptedServer([{ status: 404, body: { error: { code: 'MODEL_NOT_FOUND', message: 'model "x" not found' } } }]);
  t.after(notFound.close);
  const other = new MamlClient({ url: notFound.url, retry: { sleep: async () => assert.fail('must not sleep') } });
  await assert.rejects(other.getModel('x'), { name: 'ApiError', code: 'MODEL_NOT_FOUND', status: 404 });
});

test('no server: GET is retried then UnreachableError names the code; POST is not retried', async () => {
  const server = await scriptedServer([{ status: 200 }]);
  await server.close();
  let sleeps = 0;
  const client = new MamlClient({ url: server.url, retry: { maxAttempts: 3, sleep: async () => void sleeps++ } });
  await assert.rejects(client.listJobs(), (e: unknown) => e instanceof UnreachableError && e.reason === 'ECONNREFUSED' && e.url === server.url);
  assert.equal(sleeps, 2);
  await assert.rejects(client.submitJob({ dataset: 'sinusoid' }), UnreachableError);
  assert.equal(sleeps, 2);
});

test('a body that is not the service error shape gets code HTTP_<status>', async (t) => {
  const server = await scriptedServer([{ status: 502, body: 'Bad gateway' }]);
  t.after(server.close);
  await assert.rejects(new MamlClient({ url: server.url }).health(), { code: 'HTTP_502', status: 502, message: 'Bad gateway' });
});

test('backoff doubles up to the cap with jitter in [half, full]; Retry-After as seconds or a date', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 10].map((a) => backoffMs(a, 500, 4000, () => 1)),
    [500, 1000, 2000, 4000, 4000],
  );
  assert.deepEqual(
    [1, 2].map((a) => backoffMs(a, 500, 4000, () => 0)),
    [250, 500],
  );
  assert.equal(retryAfterSeconds('7'), 7);
  assert.equal(retryAfterSeconds(new Date(Date.UTC(2030, 0, 1, 0, 0, 30)).toUTCString(), Date.UTC(2030, 0, 1)), 30);
  assert.equal(retryAfterSeconds('soon'), null);
  assert.equal(retryAfterSeconds(null), null);
  const fetchOnce = withRetries(async () => new Response('{}', { status: 503 }), { maxAttempts: 1 });
  return fetchOnce(new Request('http://x/')).then((r) => assert.equal(r.status, 503));
});

test('a proxy’s 502/504 is retried for GET, never for POST (the request may have had its effect)', async (t) => {
  const gateway = (status: number) => ({ status, body: {} });
  const server = await scriptedServer([gateway(502), gateway(504), { status: 200, body: { ok: true } }]);
  t.after(server.close);
  const retries: RetryInfo[] = [];
  const fetchRetrying = withRetries((request) => fetch(request), { sleep: async () => undefined, onRetry: (i) => retries.push(i) });
  const got = await fetchRetrying(new Request(`${server.url}/models`));
  assert.equal(got.status, 200);
  assert.deepEqual(
    retries.map((r) => r.status),
    [502, 504],
  );
  const fresh = await scriptedServer([gateway(502), { status: 200 }]);
  t.after(fresh.close);
  const posted = await fetchRetrying(new Request(`${fresh.url}/training-jobs`, { method: 'POST', body: '{}' }));
  assert.equal(posted.status, 502);
  assert.equal(fresh.received.length, 1);
});
