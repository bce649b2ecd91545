/**
 * The inference pool makes a model's weights present in the local folder before its first request
 * and then remembers them (no check per request); when they vanish from the folder all the same,
 * the thread that needs them refuses, and the pool fetches them again and retries that request.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InferencePool } from '../../src/api/inference/pool.ts';
import { CachedArtifactStore } from '../../src/shared/storage/cached-artifact-store.ts';
import { FsArtifactStore } from '../../src/shared/storage/fs-artifact-store.ts';
import { OMNIGLOT_MODEL_PREPROCESSING } from '../../src/worker/training/sources.ts';
import { buildTestApp, createTestDatabase } from '../helpers/env.ts';
import { registerTestModel } from '../helpers/models.ts';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGP4DwABAQEAWh8mVQAAAABJRU5ErkJggg==', 'base64');

test('weights are checked before a model’s first request only, and fetched again when a thread finds them gone', async (t) => {
  const database = await createTestDatabase();
  t.after(database.drop);
  const testApp = await buildTestApp(database.url); // the shared (PostgreSQL) store, cached in WEIGHTS_DIR
  t.after(testApp.close);
  const model = await registerTestModel(testApp.db, testApp.deps.store);
  const store = testApp.deps.store;
  assert.ok(store instanceof CachedArtifactStore);
  const ensured: string[] = [];
  const pool = new InferencePool({
    threads: 2,
    maxQueue: 8,
    weightsDir: testApp.deps.config.weightsDir,
    ensureWeights: async (sha256) => {
      ensured.push(sha256);
      await store.ensureLocal(sha256);
    },
    backend: 'wasm',
    precision: 'float16',
  });
  t.after(() => pool.close());
  const adapt = () =>
    pool.adapt({
      model: { sha256: model.weightsSha256 },
      images: { files: Array.from({ length: 5 }, () => PNG), preprocessing: OMNIGLOT_MODEL_PREPROCESSING, maxPixels: 1 << 20 },
      labels: Int32Array.from([0, 1, 2, 3, 4]),
      ways: 5,
      steps: 1,
      headOnly: true,
    });

  await adapt(); // one thread loads the model
  assert.deepEqual(ensured, [model.weightsSha256]);

  // The folder loses them; two requests at once reach both threads, one of which never loaded the
  // model: the pool did not check the folder for either, and fetches them again for that one.
  const local = new FsArtifactStore(testApp.deps.config.weightsDir);
  await local.delete(model.weightsSha256);
  const results = await Promise.all([adapt(), adapt()]);
  assert.equal(results.length, 2, 'both answered');
  assert.deepEqual(ensured, [model.weightsSha256, model.weightsSha256], 'no check per request; fetched again once');
  assert.ok(await local.has(model.weightsSha256), 'back in the folder');
});
