/**
 * Malformed and hostile requests: every one gets a 4xx JSON error without internals, nothing
 * leaks into the inference threads, and the server answers normally afterwards.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { InjectOptions } from 'fastify';
import { createApiKey } from '../../src/api/auth/api-keys.ts';
import type { TestApp } from '../helpers/env.ts';
import { type ServedApp, servedApp } from '../helpers/served.ts';

let served: ServedApp;
let t: TestApp;
let auth: Record<string, string>;
let png: Buffer;

before(async () => {
  served = await servedApp({ MAX_FILES: '50', BODY_LIMIT_BYTES: '2000000' });
  ({ t, png } = served);
  auth = await served.auth();
});

after(() => served.close());

type Inject = InjectOptions;

/** The request gets `status` (or any 4xx) with the JSON error shape and no stack trace or path. */
async function refused(request: Inject, status?: number, code?: string): Promise<void> {
  const res = await t.app.inject(request);
  const what = `${JSON.stringify(request).slice(0, 160)} → ${res.statusCode} ${res.body.slice(0, 200)}`;
  if (status) assert.equal(res.statusCode, status, what);
  else assert.ok(res.statusCode >= 400 && res.statusCode < 500, what);
  const body = res.json() as { error?: { code?: unknown; message?: unknown } };
  assert.equal(typeof body.error?.code, 'string', what);
  assert.equal(typeof body.error?.message, 'string', what);
  if (code) assert.equal(body.error!.code, code, what);
  assert.doesNotMatch(res.body, /\bat .+\(|node:internal|\/src\/|\.ts:\d+/, `internals in ${what}`);
}

const support = (labels: string[], image = png) => ({ support: labels.map((label) => ({ label, image: image.toString('base64') })) });
const json = (url: string, payload: unknown, headers = auth): Inject => ({
  method: 'POST',
  url,
  headers: { ...headers, 'content-type': 'application/json' },
  payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
});

function multipart(parts: { name: string; value: string | Buffer; filename?: string }[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----hostile${Math.random().toString(16).slice(2)}`;
  const chunks = parts.flatMap((p) => [
    Buffer.from(
      `--${boundary}\r\ncontent-disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"\r\ncontent-type: image/png` : ''}\r\n\r\n`,
    ),
    Buffer.isBuffer(p.value) ? p.value : Buffer.from(p.value),
    Buffer.from('\r\n'),
  ]);
  return {
    payload: Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]),
    headers: { ...auth, 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

test('wrong content types, broken bodies, deep and huge JSON', async () => {
  await refused({ method: 'POST', url: '/adapt', headers: { ...auth, 'content-type': 'text/plain' }, payload: 'hello' }, 415);
  await refused({ method: 'POST', url: '/adapt', headers: { ...auth, 'content-type': 'application/xml' }, payload: '<a/>' }, 415);
  await refused(json('/adapt', '{"support": [ {"label": "a", '), 400);
  await refused(json('/adapt', `${'['.repeat(100_000)}${']'.repeat(100_000)}`), 400);
  await refused(json('/adapt', { support: [{ label: 'a', image: 'x'.repeat(3_000_000) }] }), 413);
  await refused(json('/adapt', { support: 'not an array' }), 400);
  await refused(json('/adapt', { support: [{ label: 'a', image: '!!!not base64!!!' }] }), 400, 'INVALID_BASE64');
  await refused(
    json(
      '/adapt',
      JSON.stringify({ ...support(['a', 'b', 'c', 'd', 'e']), __proto__: { polluted: true }, constructor: { prototype: { polluted: true } } }).replace(
        '"support"',
        '"__proto__":{"polluted":true},"support"',
      ),
    ),
  );
  assert.equal(({} as { polluted?: boolean }).polluted, undefined, 'no prototype pollution');
  const boundaryless = { method: 'POST', url: '/adapt', headers: { ...auth, 'content-type': 'multipart/form-data' }, payload: 'x' } as Inject;
  await refused(boundaryless, 400, 'INVALID_MULTIPART');
  const cut = multipart([{ name: 'labels', value: '["a"]' }]);
  await refused({ method: 'POST', url: '/adapt', headers: cut.headers, payload: cut.payload.subarray(0, cut.payload.length - 20) }, 400, 'INVALID_MULTIPART');
  const admin = { authorization: `Bearer ${(await createApiKey(t.db, 'admin')).key}` };
  await refused({ method: 'POST', url: '/datasets', headers: { ...admin, 'content-type': 'multipart/form-data' }, payload: 'x' }, 400, 'INVALID_MULTIPART');
});

test('corrupt, truncated and non-image files; label/image mismatches; hostile labels', async () => {
  const truncated = png.subarray(0, Math.floor(png.length / 2));
  const garbage = Buffer.concat([png.subarray(0, 8), Buffer.alloc(200, 0xab)]);
  for (const bad of [truncated, garbage, Buffer.from('GIF89a not really'), Buffer.from('%PDF-1.4'), Buffer.alloc(0)]) {
    await refused(json('/adapt', { support: [png, png, png, png, bad].map((image, i) => ({ label: `c${i}`, image: image.toString('base64') })) }));
  }
  const mismatch = multipart([
    { name: 'labels', value: JSON.stringify(['a', 'b']) },
    ...[0, 1, 2].map((i) => ({ name: 'images', value: png, filename: `${i}.png` })),
  ]);
  await refused({ method: 'POST', url: '/adapt', ...mismatch }, 400, 'LABEL_COUNT_MISMATCH');
  await refused(
    {
      method: 'POST',
      url: '/adapt',
      ...multipart([
        { name: 'labels', value: '{"a":1}' },
        { name: 'images', value: png, filename: 'a.png' },
      ]),
    },
    400,
    'INVALID_LABELS',
  );
  await refused({ method: 'POST', url: '/adapt', ...multipart([{ name: 'evil', value: png, filename: '../../etc/passwd' }]) }, 400, 'UNEXPECTED_PART');
  for (const label of ['a\u0000b', 'bell\u0007', '\u202eevil', ' ', 'line\nbreak']) {
    await refused(json('/adapt', support([label, 'b', 'c', 'd', 'e'])), 400, 'INVALID_LABEL');
  }
  await refused(json('/adapt', support(['x'.repeat(201), 'b', 'c', 'd', 'e'])), 400);
  const unicode = await t.app.inject(json('/adapt', support(['猫', 'κάτι', 'שלום', '🙂🙃', 'e\u0301'])));
  assert.equal(unicode.statusCode, 201, unicode.body);
  assert.deepEqual(unicode.json().labels, ['猫', 'κάτι', 'שלום', '🙂🙃', 'é']);
  const many = multipart([
    { name: 'labels', value: '[]' },
    ...Array.from({ length: 3000 }, (_, i) => ({ name: 'images', value: Buffer.from([i % 256]), filename: `${i}.png` })),
  ]);
  await refused({ method: 'POST', url: '/adapt', ...many }, 413, 'TOO_MANY_FILES');
});

test("path traversal and injection in ids; bad keys; other keys' sessions", async () => {
  for (const url of [
    '/sessions/..%2F..%2Fetc%2Fpasswd',
    '/sessions/%00',
    '/models/..%2F..%2Fetc%2Fpasswd/weights',
    '/training-jobs/..%2F..',
    '/datasets/%2e%2e%2f%2e%2e',
    "/models/1'%20OR%20'1'='1",
    `/sessions/${'A'.repeat(10_000)}`,
  ]) {
    await refused({ method: 'GET', url, headers: auth });
  }
  await refused(json('/predict', { sessionId: '../../../../etc/passwd', images: [png.toString('base64')] }), 400);
  for (const header of [`Bearer ${'k'.repeat(20_000)}`, 'Basic dXNlcjpwYXNz', 'Bearer a b', 'Bearer \u00ff\u00fe', '']) {
    await refused({ method: 'GET', url: '/models', headers: { authorization: header } }, 401);
  }
  const created = await t.app.inject(json('/adapt', support(['a', 'b', 'c', 'd', 'e'])));
  assert.equal(created.statusCode, 201, created.body);
  const other = { authorization: `Bearer ${(await createApiKey(t.db, 'client')).key}` };
  const id = created.json().sessionId as string;
  await refused({ method: 'GET', url: `/sessions/${id}`, headers: other }, 404, 'SESSION_NOT_FOUND');
  await refused(json('/predict', { sessionId: id, images: [png.toString('base64')] }, other), 404, 'SESSION_NOT_FOUND');
  await refused({ method: 'DELETE', url: `/sessions/${id}`, headers: other }, 404, 'SESSION_NOT_FOUND');
  assert.equal((await t.app.inject({ method: 'GET', url: `/sessions/${id}`, headers: auth })).statusCode, 200, 'the owner still has it');
});

test('after all of it the server is healthy and the inference threads hold no extra tensors', async () => {
  const before = await t.deps.pool.liveTensors();
  await refused(
    json('/adapt', { support: [png, png, png, png, Buffer.from('junk')].map((image, i) => ({ label: `c${i}`, image: image.toString('base64') })) }),
  );
  assert.deepEqual(await t.deps.pool.liveTensors(), before);
  assert.equal((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  const ok = await t.app.inject(json('/adapt', support(['a', 'b', 'c', 'd', 'e'])));
  assert.equal(ok.statusCode, 201, ok.body);
});
