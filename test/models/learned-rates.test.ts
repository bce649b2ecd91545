/**
 * Model files record the shape of their learned inner rates (CheckpointMetadata.learnedRateShape),
 * and serving reads it from there (or, for files from before the field, from the algorithm's
 * capabilities in src/core/kinds.ts), not from the tensors' shapes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHECKPOINT_FORMAT, encodeCheckpoint, LEARNED_LR_PREFIX, readParams, type CheckpointMetadata } from '../../src/core/checkpoint/index.ts';
import { createNetwork } from '../../src/core/nets/index.ts';
import * as tf from '../../src/core/tf.ts';
import type { NetworkSpec } from '../../src/core/types.ts';
import { disposeServingModel, loadServingModel } from '../../src/api/inference/serving-model.ts';

const SPEC: NetworkSpec = { kind: 'mlp', inputs: 1, hidden: [1], outputs: 1 };

/** An MLP file whose rates are [1] per parameter: as shaped as a bias, so shapes alone cannot tell. */
async function file(metadata: Partial<CheckpointMetadata>): Promise<Uint8Array> {
  const params = createNetwork(SPEC).init(1);
  const tensors = await readParams(params);
  for (const name of Object.keys(params)) tensors.set(LEARNED_LR_PREFIX + name, { dtype: 'float32', shape: [1], data: new Float32Array([0.1]) });
  tf.dispose(Object.values(params));
  return encodeCheckpoint(tensors, {
    format: CHECKPOINT_FORMAT,
    spec: SPEC,
    algorithm: 'mamlpp',
    nWay: null,
    inputShape: [1],
    preprocessing: null,
    learnedLearningRates: true,
    extras: {},
    ...metadata,
  });
}

function rateKind(bytes: Uint8Array): string {
  const model = loadServingModel(bytes, 'x');
  const kind = typeof model.lr === 'number' ? 'fixed' : 'perStep' in model.lr ? 'perStep' : 'perParameter';
  disposeServingModel(model);
  return kind;
}

test("serving takes the learned-rate shape the file records, else its algorithm's", async () => {
  assert.equal(rateKind(await file({ learnedRateShape: 'perParameter' })), 'perParameter');
  assert.equal(rateKind(await file({ learnedRateShape: 'perStep', algorithm: 'metasgd' })), 'perStep');
  assert.equal(rateKind(await file({ algorithm: 'mamlpp' })), 'perStep');
  assert.equal(rateKind(await file({ algorithm: 'metasgd' })), 'perParameter');
  assert.equal(rateKind(await file({ learnedLearningRates: false })), 'fixed');
  await assert.rejects(async () => file({ learnedRateShape: 'perLayer' as never }), /learnedRateShape/);
});
