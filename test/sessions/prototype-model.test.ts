/**
 * A prototype-headed, frozen-normalisation model (the staged pipeline's kind) served over HTTP:
 * any number of classes from one model, the head set from the support set then adapted by
 * gradient steps, per-image answers equal to batch answers, the model's recorded head-only
 * setting honoured, no tensors left in the inference thread.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { createApiKey } from '../../src/api/auth/api-keys.ts';
import { buildTestApp, createTestDatabase, type TestApp } from '../helpers/env.ts';
import { registerTestModel } from '../helpers/models.ts';

const OMNIGLOT = process.env.OMNIGLOT_DIR ?? path.resolve(import.meta.dirname, '../../../shared/data/omniglot');

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let t: TestApp;
let auth: Record<string, string>;
/** 26 characters from two evaluation alphabets, 2 drawings each. */
let characters: { label: string; files: string[] }[];

before(async () => {
  database = await createTestDatabase();
  t = await buildTestApp(database.url);
  await registerTestModel(t.db, t.deps.store, { name: 'proto', headInit: 'prototype', outputs: 60, makeDefault: true });
  await registerTestModel(t.db, t.deps.store, {
    name: 'proto-head',
    headInit: 'prototype',
    outputs: 60,
    makeDefault: false,
    only: ['head.weight', 'head.bias'],
  });
  auth = { authorization: `Bearer ${(await createApiKey(t.db, 'client')).key}` };
  characters = [];
  for (const alphabet of ['Angelic', 'Atlantean']) {
    const dir = path.join(OMNIGLOT, 'images_evaluation', alphabet);
    for (const name of (await readdir(dir)).sort().slice(0, 13)) {
      const files = (await readdir(path.join(dir, name))).sort().slice(0, 2);
      characters.push({
        label: `${alphabet}/${name}`,
        files: await Promise.all(files.map(async (f) => (await readFile(path.join(dir, name, f))).toString('base64'))),
      });
    }
  }
});

after(async () => {
  await t.close();
  await database.drop();
});

const adapt = (classes: number, extra: Record<string, unknown> = {}) =>
  t.app.inject({
    method: 'POST',
    url: '/adapt',
    headers: auth,
    payload: { support: characters.slice(0, classes).map((c) => ({ label: c.label, image: c.files[0]! })), ...extra },
  });

const predict = async (sessionId: string, images: string[]) => {
  const res = await t.app.inject({ method: 'POST', url: '/predict', headers: auth, payload: { sessionId, images } });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { predictions: { label: string; scores: Record<string, number> }[] }).predictions;
};

test('GET /models states the range of classes: 2 up to the output units', async () => {
  const res = await t.app.inject({ method: 'GET', url: '/models/proto', headers: auth });
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(res.json().ways, { min: 2, max: 60 });
  assert.equal(res.json().architecture.headInit, 'prototype');
});

test('one model adapts to 2, 7 and 26 classes; each support drawing is recognised; alone = in a batch', async () => {
  for (const classes of [2, 7, 26]) {
    const res = await adapt(classes);
    assert.equal(res.statusCode, 201, res.body);
    const session = res.json();
    assert.equal(session.labels.length, classes);
    const support = characters.slice(0, classes).map((c) => c.files[0]!);
    const together = await predict(session.sessionId, support);
    // An untrained body: near-identical features tie at 26 ways, but far above chance (1/26).
    const recognised = together.filter((p, i) => p.label === characters[i]!.label).length / classes;
    assert.ok(recognised >= (classes <= 7 ? 1 : 0.5), `${classes}-way: ${recognised} of the support recognised`);
    assert.ok(Math.abs(session.support.accuracy - recognised) < 1e-6, 'the support accuracy /adapt reports is what /predict answers');
    for (const i of [0, classes - 1]) {
      const [alone] = await predict(session.sessionId, [support[i]!]);
      for (const [label, score] of Object.entries(alone!.scores))
        assert.ok(Math.abs(score - together[i]!.scores[label]!) < 1e-5, `${label}: ${score} alone, ${together[i]!.scores[label]} in the batch`);
    }
  }
});

test('the adaptation changes the answers (gradient steps, not only prototypes), and 0 steps is refused', async () => {
  const one = (await adapt(5, { steps: 1 })).json();
  const many = (await adapt(5, { steps: 8 })).json();
  const query = [characters[2]!.files[1]!];
  const [a] = await predict(one.sessionId, query);
  const [b] = await predict(many.sessionId, query);
  assert.ok(
    Object.keys(a!.scores).some((label) => Math.abs(a!.scores[label]! - b!.scores[label]!) > 1e-4),
    'more steps, other scores',
  );
  assert.equal((await adapt(5, { steps: 0 })).statusCode, 400);
});

test('a model that records head-only adaptation adapts its head alone by default; no tensors leak', async () => {
  await adapt(4, { model: 'proto-head' }); // loads the model into the thread's cache
  const [before] = await t.deps.pool.liveTensors();
  for (let i = 0; i < 2; i++) {
    const res = await adapt(4, { model: 'proto-head' });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().headOnly, true, 'the model records head-only adaptation');
    assert.equal((await adapt(4, { model: 'proto-head', headOnly: false })).json().headOnly, false, 'a request may override it');
    await predict(res.json().sessionId, [characters[1]!.files[1]!]);
    const full = await adapt(9);
    assert.equal(full.json().headOnly, false);
    await predict(full.json().sessionId, [characters[1]!.files[1]!]);
  }
  const [after] = await t.deps.pool.liveTensors();
  assert.equal(after, before);
});

test('more classes than the model serves: 422 naming the range', async () => {
  await registerTestModel(t.db, t.deps.store, { name: 'proto-small', headInit: 'prototype', outputs: 8, makeDefault: false });
  const res = await adapt(9, { model: 'proto-small' });
  assert.equal(res.statusCode, 422, res.body);
  assert.match(res.json().error.message, /8/);
});
