import assert from 'node:assert/strict';
import { test } from 'node:test';
import '@tensorflow/tfjs-backend-wasm';
import { decodeCheckpoint } from '../../core/checkpoint/index.ts';
import * as tf from '../../core/tf.ts';
import { resolveTrainingConfig } from '../../shared/jobs/training-config.ts';
import type { TrainingContext } from './context.ts';
import { runTraining } from './run.ts';
import { imageSource } from './task-source.ts';
import { randomSplits } from './test-splits.ts';

await tf.setBackend('wasm');

const splits = randomSplits;

/** An in-memory context: keeps every checkpoint and the registered model. */
function memoryContext() {
  const checkpoints: Uint8Array[] = [];
  let model: Uint8Array | null = null;
  const ctx: TrainingContext = {
    backend: 'wasm',
    log: () => undefined,
    resumePoint: async () => null,
    storeCheckpoint: async (bytes) => void checkpoints.push(bytes),
    shouldStop: async () => null,
    flushMetrics: async () => undefined,
    progress: () => undefined,
    registerModel: async (bytes) => ((model = bytes), 'model-1'),
  };
  return { ctx, checkpoints, model: () => model! };
}

const head = (bytes: Uint8Array) => {
  const { tensors, metadata } = decodeCheckpoint(bytes);
  return { weight: tensors.get('head.weight')!, outputs: (metadata.spec as { outputs: number }).outputs };
};

test('a zero head is reset every outer step and served with maxWays units; a random head is meta-learned', async () => {
  const base = {
    dataset: 'omniglot',
    nWay: 3,
    kShot: 1,
    queryPerClass: 1,
    metaBatchSize: 2,
    iterations: 4,
    evalEvery: 2,
    evalTasks: 2,
    testTasks: 2,
    checkpointEvery: 2,
    seed: 9,
  } as const;
  const before = tf.memory().numTensors;
  const zero = memoryContext();
  const zeroConfig = resolveTrainingConfig({ ...base, architecture: { filters: 4, headInit: 'zero', maxWays: 7 } }, () => 0);
  assert.deepEqual(await runTraining(zero.ctx, zeroConfig, imageSource(zeroConfig, splits)), { status: 'completed', modelId: 'model-1' });
  for (const bytes of zero.checkpoints)
    assert.ok(
      head(bytes).weight.data.every((v) => v === 0),
      'checkpointed head is zero',
    );
  const served = head(zero.model());
  assert.equal(served.outputs, 7);
  assert.deepEqual(served.weight.shape, [4, 7]);
  assert.ok(served.weight.data.every((v) => v === 0));
  const body = decodeCheckpoint(zero.model()).tensors.get('block0.conv.weight')!;
  assert.ok(
    body.data.some((v) => v !== 0),
    'the body is trained',
  );

  const random = memoryContext();
  const randomConfig = resolveTrainingConfig({ ...base, architecture: { filters: 4 } }, () => 0);
  await runTraining(random.ctx, randomConfig, imageSource(randomConfig, splits));
  const learned = head(random.model());
  assert.equal(learned.outputs, 3);
  assert.ok(learned.weight.data.some((v) => v !== 0));
  assert.equal(tf.memory().numTensors, before);
});
