import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { createApiKey } from '../../src/api/auth/api-keys.ts';
import { buildTestApp, createTestDatabase, type TestApp } from '../helpers/env.ts';
import { registerTestModel } from '../helpers/models.ts';
import { multipart } from '../helpers/multipart.ts';
import { parseServerTiming } from '../../src/api/routes/sessions/server-timing.ts';
import { until } from '../helpers/wait.ts';

const OMNIGLOT = process.env.OMNIGLOT_DIR ?? path.resolve(import.meta.dirname, '../../../shared/data/omniglot');
const ALPHABET = path.join(OMNIGLOT, 'images_evaluation', 'Angelic');

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let t: TestApp;
let auth: Record<string, string>;
let other: Record<string, string>;
let characters: { label: string; files: Buffer[] }[];

before(async () => {
  database = await createTestDatabase();
  t = await buildTestApp(database.url);
  await registerTestModel(t.db, t.deps.store);
  auth = { authorization: `Bearer ${(await createApiKey(t.db, 'client')).key}` };
  other = { authorization: `Bearer ${(await createApiKey(t.db, 'client')).key}` };
  const names = (await readdir(ALPHABET)).sort().slice(0, 5);
  characters = await Promise.all(
    names.map(async (name) => {
      const dir = path.join(ALPHABET, name);
      const files = (await readdir(dir)).sort().slice(0, 3);
      return { label: `Angelic ${name} ✓`, files: await Promise.all(files.map((f) => readFile(path.join(dir, f)))) };
    }),
  );
});

after(async () => {
  await t.close();
  await database.drop();
});

/** The Server-Timing header names every phase, in order, then a total that covers their sum. */
function assertServerTiming(header: unknown, phases: string[], decodeMs: number) {
  const timing = parseServerTiming(String(header));
  assert.deepEqual(Object.keys(timing), [...phases, 'total'], String(header));
  const sum = phases.reduce((total, phase) => total + timing[phase]!, 0);
  assert.ok(sum <= timing.total! + 0.05 * phases.length, `phases sum to ${sum} ms, over the total ${timing.total} ms`);
  assert.ok(Math.abs(timing.decode! - decodeMs) <= 0.06, `decode ${timing.decode} vs body ${decodeMs}`);
}

async function adaptMultipart(headers = auth, extra: { name: string; value: string }[] = []) {
  const support = characters.map((c) => ({ label: c.label, file: c.files[0]! }));
  const body = multipart([
    { name: 'labels', value: JSON.stringify(support.map((s) => s.label)) },
    ...extra,
    ...support.map((s, i) => ({ name: 'images', value: s.file, filename: `${i}.png` })),
  ]);
  return t.app.inject({ method: 'POST', url: '/adapt', headers: { ...headers, ...body.headers }, payload: body.payload });
}

test('5-way 1-shot adapt from real Omniglot PNGs (multipart), then predict: scores sum to 1, support recognised', async () => {
  const res = await adaptMultipart(auth, [{ name: 'steps', value: '10' }]);
  assert.equal(res.statusCode, 201, res.body);
  const session = res.json();
  assert.match(session.sessionId, /^[A-Za-z0-9_-]{24}$/);
  assert.deepEqual(
    session.labels,
    characters.map((c) => c.label),
  );
  assert.equal(session.steps, 10);
  assert.ok(session.support.accuracy >= 0.8, `support accuracy ${session.support.accuracy}`);
  assert.ok(session.timings.adaptMs > 0);
  assert.ok(session.timings.queueMs >= 0 && session.timings.queueMs < 60_000, `queueMs ${session.timings.queueMs}`);
  assert.ok(Date.parse(session.expiresAt) > Date.now() + 3_500_000);
  assertServerTiming(
    res.headers['server-timing'],
    ['accept', 'upload', 'resolve', 'queue', 'dispatch', 'decode', 'adapt', 'encode', 'redis'],
    session.timings.decodeMs,
  );

  const queries = characters.map((c) => c.files[0]!.toString('base64'));
  const predicted = await t.app.inject({ method: 'POST', url: '/predict', headers: auth, payload: { sessionId: session.sessionId, images: queries } });
  assert.equal(predicted.statusCode, 200, predicted.body);
  const { predictions } = predicted.json() as { predictions: { label: string; scores: Record<string, number> }[] };
  assert.equal(predictions.length, 5);
  assertServerTiming(
    predicted.headers['server-timing'],
    ['accept', 'upload', 'redis', 'resolve', 'queue', 'dispatch', 'decode', 'predict', 'encode'],
    predicted.json().timings.decodeMs,
  );
  for (const p of predictions) {
    const sum = Object.values(p.scores).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-4, `scores sum to ${sum}`);
    assert.deepEqual(Object.keys(p.scores).sort(), characters.map((c) => c.label).sort());
  }
  const correct = predictions.filter((p, i) => p.label === characters[i]!.label).length;
  assert.ok(correct >= 4, `${correct}/5 support images recognised`);
});

test('JSON adapt works the same, and sessions are per key: another key gets 404', async () => {
  const support = characters.flatMap((c) => c.files.slice(0, 2).map((f) => ({ label: c.label, image: f.toString('base64') })));
  const res = await t.app.inject({ method: 'POST', url: '/adapt', headers: auth, payload: { support, ttlSeconds: 60 } });
  assert.equal(res.statusCode, 201, res.body);
  const { sessionId } = res.json();
  const mine = await t.app.inject({ method: 'GET', url: `/sessions/${sessionId}`, headers: auth });
  assert.equal(mine.statusCode, 200);
  assert.equal(mine.json().support.shots[characters[0]!.label], 2);
  for (const [method, url, payload] of [
    ['GET', `/sessions/${sessionId}`, undefined],
    ['DELETE', `/sessions/${sessionId}`, undefined],
    ['POST', '/predict', { sessionId, images: [support[0]!.image] }],
  ] as const) {
    const theirs = await t.app.inject({ method, url, headers: other, ...(payload ? { payload } : {}) });
    assert.equal(theirs.statusCode, 404, `${method} ${url}`);
    assert.equal(theirs.json().error.code, 'SESSION_NOT_FOUND');
  }
  const deleted = await t.app.inject({ method: 'DELETE', url: `/sessions/${sessionId}`, headers: auth });
  assert.equal(deleted.statusCode, 204);
  assert.equal((await t.app.inject({ method: 'GET', url: `/sessions/${sessionId}`, headers: auth })).statusCode, 404);
});

test('sessions expire after their TTL', async () => {
  const support = characters.map((c) => ({ label: c.label, image: c.files[0]!.toString('base64') }));
  const { sessionId } = (await t.app.inject({ method: 'POST', url: '/adapt', headers: auth, payload: { support, ttlSeconds: 10 } })).json();
  const ttl = await t.deps.redis.ttl(`${t.deps.config.queuePrefix}:session:${sessionId}`);
  assert.ok(ttl > 0 && ttl <= 10, `ttl ${ttl}`);
  await t.deps.redis.pexpire(`${t.deps.config.queuePrefix}:session:${sessionId}`, 1);
  await until('Redis to expire the session', async () => (await t.deps.redis.exists(`${t.deps.config.queuePrefix}:session:${sessionId}`)) === 0);
  assert.equal((await t.app.inject({ method: 'GET', url: `/sessions/${sessionId}`, headers: auth })).statusCode, 404);
});

test('a session whose stored weights cannot be read: 409 SESSION_UNREADABLE (not a 500), and a new session works', async () => {
  const support = characters.map((c) => ({ label: c.label, image: c.files[0]!.toString('base64') }));
  const { sessionId } = (await t.app.inject({ method: 'POST', url: '/adapt', headers: auth, payload: { support } })).json();
  await t.deps.redis.hset(`${t.deps.config.queuePrefix}:session:${sessionId}`, 'theta', Buffer.from('not a theta'));
  t.deps.sessions.cache.clear();
  const res = await t.app.inject({ method: 'POST', url: '/predict', headers: auth, payload: { sessionId, images: [support[0]!.image] } });
  assert.equal(res.statusCode, 409, res.body);
  assert.equal(res.json().error.code, 'SESSION_UNREADABLE');
  const fresh = (await t.app.inject({ method: 'POST', url: '/adapt', headers: auth, payload: { support } })).json();
  assert.equal(
    (await t.app.inject({ method: 'POST', url: '/predict', headers: auth, payload: { sessionId: fresh.sessionId, images: [support[0]!.image] } })).statusCode,
    200,
  );
});

test('input errors are clear 4xx JSON errors', async () => {
  const png = characters[0]!.files[0]!.toString('base64');
  const labels = characters.map((c) => c.label);
  const cases: [unknown, number, string][] = [
    [{ support: [{ label: 'a', image: png }] }, 422, 'CLASS_COUNT_UNSUPPORTED'],
    [{ support: [...labels, 'sixth'].map((label) => ({ label, image: png })) }, 422, 'CLASS_COUNT_UNSUPPORTED'],
    [{ support: labels.map((label) => ({ label, image: 'bm90IGFuIGltYWdl' })) }, 415, 'UNSUPPORTED_IMAGE'],
    [{ support: labels.map((label) => ({ label, image: '%%%' })) }, 400, 'INVALID_BASE64'],
    [{ support: labels.map((label, i) => ({ label: i === 0 ? 'bad\u0007label' : label, image: png })) }, 400, 'INVALID_LABEL'],
    [{ model: 'no-such-model', support: labels.map((label) => ({ label, image: png })) }, 404, 'MODEL_NOT_FOUND'],
    [{ support: [] }, 400, 'VALIDATION_ERROR'],
  ];
  for (const [payload, status, code] of cases) {
    const res = await t.app.inject({ method: 'POST', url: '/adapt', headers: auth, payload: payload as object });
    assert.equal(res.statusCode, status, `${code}: ${res.body}`);
    assert.equal(res.json().error.code, code);
  }
  const mismatch = multipart([
    { name: 'labels', value: '["a","b"]' },
    { name: 'images', value: characters[0]!.files[0]!, filename: 'a.png' },
  ]);
  const res = await t.app.inject({ method: 'POST', url: '/adapt', headers: { ...auth, ...mismatch.headers }, payload: mismatch.payload });
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().error.code, 'LABEL_COUNT_MISMATCH');
  const unknown = await t.app.inject({ method: 'POST', url: '/predict', headers: auth, payload: { sessionId: 'A'.repeat(24), images: [png] } });
  assert.equal(unknown.statusCode, 404);
});

test('no tensors leak in the inference thread over repeated adapt/predict', async () => {
  const support = characters.map((c) => ({ label: c.label, image: c.files[1]!.toString('base64') }));
  const first = (await t.app.inject({ method: 'POST', url: '/adapt', headers: auth, payload: { support } })).json();
  await t.app.inject({ method: 'POST', url: '/predict', headers: auth, payload: { sessionId: first.sessionId, images: [support[0]!.image] } });
  const [before] = await t.deps.pool.liveTensors();
  for (let i = 0; i < 3; i++) {
    const { sessionId } = (await t.app.inject({ method: 'POST', url: '/adapt', headers: auth, payload: { support } })).json();
    await t.app.inject({ method: 'POST', url: '/predict', headers: auth, payload: { sessionId, images: [support[1]!.image] } });
    await t.app.inject({ method: 'POST', url: '/adapt', headers: auth, payload: { support: support.map((s) => ({ ...s, image: 'AAAA' })) } });
  }
  const [after] = await t.deps.pool.liveTensors();
  assert.equal(after, before);
});

test('each image is scored on its own (support-set normalisation): alone or in a batch, the same scores', async () => {
  const adapted = await adaptMultipart();
  assert.equal(adapted.statusCode, 201, adapted.body);
  const { sessionId } = adapted.json();
  const queries = characters.map((c) => c.files[1]!.toString('base64'));
  const predict = async (images: string[]) => {
    const res = await t.app.inject({ method: 'POST', url: '/predict', headers: auth, payload: { sessionId, images } });
    assert.equal(res.statusCode, 200, res.body);
    return (res.json() as { predictions: { scores: Record<string, number> }[] }).predictions.map((p) => p.scores);
  };
  const together = await predict(queries);
  for (const [i, image] of queries.entries()) {
    const [alone] = await predict([image]);
    for (const [label, score] of Object.entries(alone!))
      assert.ok(Math.abs(score - together[i]![label]!) < 1e-5, `query ${i}, ${label}: ${score} alone, ${together[i]![label]} in the batch`);
  }
  const [first] = await predict([queries[0]!, queries[0]!, queries[0]!]);
  assert.ok(Math.abs(first![characters[0]!.label]! - together[0]![characters[0]!.label]!) < 1e-5, 'duplicates in a request change nothing');
});
