/**
 * What an inference thread cannot do for reasons that are not its fault comes back as a typed
 * refusal with its own answer, not a 500: weights the API's local folder lost are fetched again
 * before dispatch; weights no store holds are 503 MODEL_WEIGHTS_UNAVAILABLE. (A session whose
 * stored θ′ cannot be read, 409 SESSION_UNREADABLE: test/sessions/adapt-predict.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApiKey } from '../../src/api/auth/api-keys.ts';
import { FsArtifactStore } from '../../src/shared/storage/fs-artifact-store.ts';
import { buildTestApp, createTestDatabase } from '../helpers/env.ts';
import { registerTestModel } from '../helpers/models.ts';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGP4DwABAQEAWh8mVQAAAABJRU5ErkJggg==';
const support = { support: ['a', 'b', 'c', 'd', 'e'].map((label) => ({ label, image: PNG })) };

async function setUp(t: { after(fn: () => Promise<void> | void): void }) {
  const database = await createTestDatabase();
  t.after(database.drop);
  const testApp = await buildTestApp(database.url, { SESSION_CACHE_MB: '0' }); // the shared (PostgreSQL) store, cached in WEIGHTS_DIR
  t.after(testApp.close);
  const model = await registerTestModel(testApp.db, testApp.deps.store);
  const headers = { authorization: `Bearer ${(await createApiKey(testApp.db, 'client')).key}` };
  const local = new FsArtifactStore(testApp.deps.config.weightsDir);
  return { ...testApp, model, headers, local };
}

test('weights missing from the local folder are fetched before the thread needs them', async (t) => {
  const { app, model, headers, local } = await setUp(t);
  await app.inject({ method: 'GET', url: '/models', headers }); // the API reads the model (its metadata comes from the row) ...
  assert.equal(await local.has(model.weightsSha256), false, '... without fetching the weights');
  const adapted = await app.inject({ method: 'POST', url: '/adapt', headers, payload: support });
  assert.equal(adapted.statusCode, 201, adapted.body);
  assert.ok(await local.has(model.weightsSha256), 'the pool fetched the weights into the folder');
});

test('weights that no store holds: 503 MODEL_WEIGHTS_UNAVAILABLE with Retry-After, not a 500', async (t) => {
  const { app, deps, model, headers } = await setUp(t);
  await deps.store.delete(model.weightsSha256);
  const refused = await app.inject({ method: 'POST', url: '/adapt', headers, payload: support });
  assert.equal(refused.statusCode, 503, refused.body);
  assert.equal(refused.json().error.code, 'MODEL_WEIGHTS_UNAVAILABLE');
  assert.equal(refused.headers['retry-after'], '5');
});
