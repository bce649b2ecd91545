import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/core/tf.ts';
import { createApiKey } from '../../src/api/auth/api-keys.ts';
import { loadDatasetSplits } from '../../src/shared/datasets/index.ts';
import { resolveTrainingConfig } from '../../src/shared/jobs/training-config.ts';
import { imageSource } from '../../src/worker/training/task-source.ts';
import { buildTestApp, createTestDatabase, type TestApp } from '../helpers/env.ts';
import { folderEntries, upload, zipOf } from './fixtures.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let testApp: TestApp;

before(async () => {
  database = await createTestDatabase();
  testApp = await buildTestApp(database.url);
});

after(async () => {
  await testApp.close();
  await database.drop();
});

test('an uploaded dataset feeds training tasks: config accepts its id, splits by class, tasks have its shape', async () => {
  await tf.setBackend('cpu');
  const admin = { authorization: `Bearer ${(await createApiKey(testApp.db, 'admin')).key}` };
  const body = upload(zipOf(folderEntries(20, 4)), 'twenty', { size: '16' });
  const res = await testApp.app.inject({ method: 'POST', url: '/datasets', headers: { ...admin, ...body.headers }, payload: body.payload });
  assert.equal(res.statusCode, 202, res.body);
  await testApp.deps.ingestion.settled();
  const config = resolveTrainingConfig({ dataset: res.json().id, nWay: 5, kShot: 1, queryPerClass: 2, metaBatchSize: 2, iterations: 2 }, () => 7);
  const splits = await loadDatasetSplits(testApp.db, testApp.deps.store, config.dataset, { nWay: config.nWay });
  assert.deepEqual([splits.train.classes.length, splits.validation.classes.length, splits.test.classes.length], [10, 5, 5]);
  const source = imageSource(config, splits);
  assert.deepEqual([source.spec.kind, (source.spec as { inputSize: number }).inputSize], ['conv4', 16]);
  const before = tf.memory().numTensors;
  const [task] = source.trainBatch(0, 1);
  assert.deepEqual(task!.supportX.shape, [5, 16, 16, 1]);
  assert.deepEqual(task!.queryX.shape, [10, 16, 16, 1]);
  const validation = source.validationTask(0);
  for (const t of [task!, validation]) for (const x of [t.supportX, t.supportY, t.queryX, t.queryY]) x.dispose();
  assert.equal(tf.memory().numTensors, before);
});
