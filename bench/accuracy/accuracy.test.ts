import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import { createApiKey } from '../../src/api/auth/api-keys.ts';
import * as tf from '../../src/core/tf.ts';
import { disposeServingModel, loadServingModel } from '../../src/api/inference/serving-model.ts';
import { registerModel } from '../../src/shared/models/registry.ts';
import { selectBackend } from '../../src/tf/backend.ts';
import { buildTestApp, createTestDatabase } from '../../test/helpers/env.ts';
import { evaluatePlans, loadEvaluationSet, taskPlans } from './evaluate.ts';
import { httpAccuracy } from './http.ts';

const OMNIGLOT = process.env.OMNIGLOT_DIR ?? path.resolve(import.meta.dirname, '../../../shared/data/omniglot');
const MODEL = path.resolve(import.meta.dirname, '../../models/omniglot-5way.safetensors');

await selectBackend('wasm');
const bytes = new Uint8Array(await readFile(MODEL));
const model = loadServingModel(bytes, 'shipped');
after(() => disposeServingModel(model));
const set = await loadEvaluationSet(OMNIGLOT, model);

test('the shipped 5-way model is far above chance on unseen-alphabet tasks, and evaluation leaves no tensors', () => {
  const plans = taskPlans(set, { nWay: 5, kShot: 1 }, 5, 600, 8);
  assert.equal(taskPlans(set, { nWay: 5, kShot: 1 }, 5, 600, 8)[7]!.classes[0]!.support[0], plans[7]!.classes[0]!.support[0], 'same seed, same tasks');
  const before = tf.memory().numTensors;
  const full = evaluatePlans(model, set, plans, { headOnly: false });
  assert.equal(tf.memory().numTensors, before);
  assert.equal(full.perTask.length, 8);
  assert.ok(full.accuracy.mean > 0.75, `5-way 1-shot accuracy ${full.accuracy.mean}`);
});

test('tasks through the HTTP API (real PNG uploads) score as in process', async () => {
  const database = await createTestDatabase();
  const t = await buildTestApp(database.url);
  try {
    const registered = await registerModel(t.db, t.deps.store, { name: 'omniglot-5way', checkpoint: bytes, makeDefault: false });
    const key = (await createApiKey(t.db, 'client')).key;
    const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const plans = taskPlans(set, { nWay: 5, kShot: 1 }, 5, 601, 3);
    const local = evaluatePlans(model, set, plans, { headOnly: false, normalization: 'support' }); // as /predict: each query alone
    const remote = await httpAccuracy({ url, key, model: registered.id, headOnly: false }, set, plans);
    remote.forEach((a, i) => assert.ok(Math.abs(a - local.perTask[i]!) <= 0.04 + 1e-9, `task ${i}: HTTP ${a}, in process ${local.perTask[i]}`));
  } finally {
    await t.close();
    await database.drop();
  }
});
