/**
 * Error messages a new user meets on /adapt and /predict name what to fix: the uploaded file that
 * is not an image (its multipart filename, or its label in JSON), "1 distinct label" (singular), and
 * for too many classes a ready model that takes that many.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createApiKey } from '../../src/api/auth/api-keys.ts';
import { buildTestApp, createTestDatabase, type TestApp } from '../helpers/env.ts';
import { registerTestModel } from '../helpers/models.ts';
import { multipart } from '../helpers/multipart.ts';

const OMNIGLOT = process.env.OMNIGLOT_DIR ?? path.resolve(import.meta.dirname, '../../../shared/data/omniglot');
const CHARACTER = path.join(OMNIGLOT, 'images_evaluation', 'Angelic', 'character01');

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let t: TestApp;
let auth: Record<string, string>;
let png: Buffer;

before(async () => {
  database = await createTestDatabase();
  t = await buildTestApp(database.url);
  await registerTestModel(t.db, t.deps.store, { name: 'small-5way', nWay: 5 });
  await registerTestModel(t.db, t.deps.store, { name: 'wide-20way', outputs: 20, makeDefault: false });
  auth = { authorization: `Bearer ${(await createApiKey(t.db, 'client')).key}` };
  const file = (await readdir(CHARACTER)).sort()[0]!;
  png = await readFile(path.join(CHARACTER, file));
});

after(async () => {
  await t.close();
  await database.drop();
});

const labels = ['a', 'b', 'c', 'd', 'e'];

test('a file that is not an image is named by its filename (multipart) or its label (JSON)', async () => {
  const body = multipart([
    { name: 'labels', value: JSON.stringify(labels) },
    ...labels.map((label, i) => ({ name: 'images', value: i === 2 ? Buffer.from('# notes\n') : png, filename: i === 2 ? 'notes.md' : `${label}.png` })),
  ]);
  const res = await t.app.inject({ method: 'POST', url: '/adapt', headers: { ...auth, ...body.headers }, payload: body.payload });
  assert.equal(res.statusCode, 415, res.body);
  assert.equal(res.json().error.message, 'image 2 ("notes.md") is not a readable PNG, JPEG or WebP image');

  const support = labels.map((label) => ({ label, image: label === 'd' ? Buffer.from('not an image').toString('base64') : png.toString('base64') }));
  const json = await t.app.inject({ method: 'POST', url: '/adapt', headers: auth, payload: { support } });
  assert.equal(json.statusCode, 415, json.body);
  assert.equal(json.json().error.message, 'image 3 (label "d") is not a readable PNG, JPEG or WebP image');
});

test('one class: "1 distinct label", singular', async () => {
  const res = await t.app.inject({ method: 'POST', url: '/adapt', headers: auth, payload: { support: [{ label: 'a', image: png.toString('base64') }] } });
  assert.equal(res.statusCode, 422);
  assert.equal(res.json().error.message, 'the support set has 1 distinct label; model small-5way takes 2 to 5 classes');
});

test('too many classes for the model: the 422 names a ready model that takes them', async () => {
  const support = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((label) => ({ label, image: png.toString('base64') }));
  const res = await t.app.inject({ method: 'POST', url: '/adapt', headers: auth, payload: { support } });
  assert.equal(res.statusCode, 422);
  assert.equal(res.json().error.code, 'CLASS_COUNT_UNSUPPORTED');
  assert.match(
    res.json().error.message,
    /^the support set has 7 distinct labels; model small-5way takes 2 to 5 classes; model wide-20way takes 7: send "model": "wide-20way"/,
  );
  assert.equal(res.json().error.details.fittingModel, 'wide-20way');
  const fits = await t.app.inject({ method: 'POST', url: '/adapt', headers: auth, payload: { support, model: 'wide-20way' } });
  assert.equal(fits.statusCode, 201, fits.body);

  const tooMany = Array.from({ length: 21 }, (_, i) => ({ label: `c${i}`, image: png.toString('base64') }));
  const none = await t.app.inject({ method: 'POST', url: '/adapt', headers: auth, payload: { support: tooMany } });
  assert.equal(none.statusCode, 422);
  assert.match(none.json().error.message, /; no ready model takes 21$/);
});
