/**
 * The multipart reader of /adapt and /predict (src/api/routes/sessions/input.ts): every limit and
 * refusal answers its own status and code in the JSON error shape, for multipart bodies as for
 * JSON ones (an image over MAX_FILE_BYTES is FILE_TOO_LARGE either way), and a refused upload
 * leaves the connection usable for the next request.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestApp } from '../helpers/env.ts';
import { type ServedApp, servedApp } from '../helpers/served.ts';
import { multipart, type Part } from '../helpers/multipart.ts';

let served: ServedApp;
let t: TestApp;
let auth: Record<string, string>;
let png: Buffer;
const LABELS = JSON.stringify(['a', 'b', 'c', 'd', 'e']);

before(async () => {
  served = await servedApp({ MAX_FILE_BYTES: '20000', MAX_FILES: '6' });
  ({ t, png } = served);
  auth = await served.auth();
});

after(() => served.close());

const images = (n: number, image = png): Part[] => Array.from({ length: n }, (_, i) => ({ name: 'images', value: image, filename: `${i}.png` }));

async function post(url: string, parts: Part[]) {
  const body = multipart(parts);
  const res = await t.app.inject({ method: 'POST', url, headers: { ...auth, ...body.headers }, payload: body.payload });
  return { status: res.statusCode, body: res.json() as { error?: { code: string; message: string }; sessionId?: string } };
}

async function refused(url: string, parts: Part[], status: number, code: string) {
  const res = await post(url, parts);
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body.error?.code, code);
  assert.equal(typeof res.body.error?.message, 'string');
}

test('a multipart /adapt then /predict within the limits succeeds', async () => {
  const adapt = await post('/adapt', [{ name: 'labels', value: LABELS }, ...images(5), { name: 'steps', value: '2' }]);
  assert.equal(adapt.status, 201, JSON.stringify(adapt.body));
  const predict = await post('/predict', [{ name: 'sessionId', value: adapt.body.sessionId! }, ...images(2)]);
  assert.equal(predict.status, 200, JSON.stringify(predict.body));
});

test('an image over MAX_FILE_BYTES is 413 FILE_TOO_LARGE, as in a JSON body', async () => {
  const big = Buffer.concat([png, Buffer.alloc(25_000)]);
  await refused('/adapt', [{ name: 'labels', value: LABELS }, ...images(4), { name: 'images', value: big, filename: 'big.png' }], 413, 'FILE_TOO_LARGE');
  await refused(
    '/predict',
    [
      { name: 'sessionId', value: 'x'.repeat(24) },
      { name: 'images', value: big, filename: 'big.png' },
    ],
    413,
    'FILE_TOO_LARGE',
  );
});

test('more than MAX_FILES images is 413 TOO_MANY_FILES', async () => {
  await refused('/adapt', [{ name: 'labels', value: LABELS }, ...images(7)], 413, 'TOO_MANY_FILES');
  await refused('/adapt', [{ name: 'labels', value: LABELS }, ...images(40)], 413, 'TOO_MANY_FILES');
});

test('parts the contract does not name are 400 UNEXPECTED_PART, files and text fields alike', async () => {
  await refused(
    '/adapt',
    [
      { name: 'labels', value: LABELS },
      { name: 'photo', value: png, filename: 'a.png' },
    ],
    400,
    'UNEXPECTED_PART',
  );
  await refused('/adapt', [{ name: 'labels', value: LABELS }, ...images(5), { name: 'colour', value: 'red' }], 400, 'UNEXPECTED_PART');
  await refused('/adapt', [{ name: '__proto__', value: 'x' }, ...images(5)], 400, 'UNEXPECTED_PART');
  await refused(
    '/predict',
    [
      { name: 'sessionId', value: 'x'.repeat(24) },
      { name: 'labels', value: LABELS },
    ],
    400,
    'UNEXPECTED_PART',
  );
});

test('text fields are checked against the contract', async () => {
  await refused('/adapt', [{ name: 'labels', value: LABELS }, ...images(5), { name: 'steps', value: 'many' }], 400, 'VALIDATION_ERROR');
  await refused('/adapt', images(5), 400, 'MISSING_LABELS');
  await refused('/adapt', [{ name: 'labels', value: '{"a":1}' }, ...images(5)], 400, 'INVALID_LABELS');
  await refused(
    '/adapt',
    Array.from({ length: 21 }, () => ({ name: 'labels', value: LABELS })),
    413,
    'FIELDS_LIMIT',
  );
});

test('a body cut short or without a boundary is 400 INVALID_MULTIPART; the app keeps serving', async () => {
  const body = multipart([{ name: 'labels', value: LABELS }, ...images(5)]);
  const cut = await t.app.inject({
    method: 'POST',
    url: '/adapt',
    headers: { ...auth, ...body.headers },
    payload: body.payload.subarray(0, body.payload.length - 300),
  });
  assert.equal(cut.statusCode, 400, cut.body);
  assert.equal(cut.json().error.code, 'INVALID_MULTIPART');
  const bare = await t.app.inject({ method: 'POST', url: '/adapt', headers: { ...auth, 'content-type': 'multipart/form-data' }, payload: 'x' });
  assert.equal(bare.statusCode, 400, bare.body);
  assert.equal(bare.json().error.code, 'INVALID_MULTIPART');
  const empty = await t.app.inject({ method: 'POST', url: '/adapt', headers: { ...auth, ...body.headers }, payload: '' });
  assert.equal(empty.statusCode, 400, empty.body);
  assert.equal(empty.json().error.code, 'MISSING_LABELS');
  assert.equal((await post('/adapt', [{ name: 'labels', value: LABELS }, ...images(5)])).status, 201);
});
