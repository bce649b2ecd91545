import assert from 'node:assert/strict';
import { test } from 'node:test';
import '@tensorflow/tfjs-backend-wasm';
import { decodeCheckpoint } from '../../core/checkpoint/index.ts';
import { conv4BufferNames } from '../../core/nets/conv4.ts';
import * as tf from '../../core/tf.ts';
import { resolveTrainingConfig, TrainingConfigError, type TrainingConfigInput } from '../../shared/jobs/training-config.ts';
import type { ResumePoint, TrainingContext, ValidationRow } from './context.ts';
import { cheapestOfBest, stageSteps } from './pipeline.ts';
import { runTraining } from './run.ts';
import { imageSource } from './task-source.ts';
import { randomSplits } from './test-splits.ts';

await tf.setBackend('wasm');

const splits = randomSplits;

/** An in-memory context that keeps the latest checkpoint, every validation, and can stop after `stopAfter` checks. */
function memoryContext(stopAfter = Infinity, resume: ResumePoint | null = null) {
  let latest: ResumePoint | null = resume;
  let model: Uint8Array | null = null;
  let checks = 0;
  const validations: ValidationRow[] = [];
  const ctx: TrainingContext = {
    backend: 'wasm',
    log: () => undefined,
    resumePoint: async () => latest,
    storeCheckpoint: async (bytes, iteration, trainingSeconds) => void (latest = { id: `c${iteration}`, checkpoint: bytes, iteration, trainingSeconds }),
    shouldStop: async () => (++checks > stopAfter ? 'handed-back' : null),
    flushMetrics: async (_rows, validation) => void (validation && validations.push(validation)),
    progress: () => undefined,
    registerModel: async (bytes) => ((model = bytes), 'model-1'),
  };
  return { ctx, validations, latest: () => latest, model: () => model };
}

const input: TrainingConfigInput = {
  dataset: 'omniglot',
  seed: 5,
  nWay: 3,
  kShot: 1,
  queryPerClass: 1,
  evalTasks: 3,
  testTasks: 3,
  architecture: { filters: 4, maxWays: 12 },
  stages: [
    { kind: 'pretrain', epochs: 1, batchSize: 16, evalEvery: 3, patience: 5 },
    { kind: 'meta', innerSteps: 0, nWay: 4, metaBatchSize: 2, iterations: 3, evalEvery: 2 },
    { kind: 'meta', algorithm: 'maml', innerSteps: 1, innerLr: 0.05, metaBatchSize: 2, iterations: 2, evalEvery: 1 },
  ],
  selection: { steps: [1], innerLr: [0.05], adapt: ['all', 'head'], shots: [1, 2] },
};

test('a staged pipeline: pre-training, Proto-MAML stages, serving settings chosen on validation, provenance; no tensors left', async () => {
  const config = resolveTrainingConfig(input, () => 0);
  assert.equal(config.architecture.headInit, 'prototype');
  assert.equal(config.architecture.normalization, 'frozen');
  const before = tf.memory().numTensors;
  const run = memoryContext();
  assert.deepEqual(await runTraining(run.ctx, config, imageSource(config, splits)), { status: 'completed', modelId: 'model-1' });
  assert.equal(tf.memory().numTensors, before);
  const { tensors, metadata } = decodeCheckpoint(run.model()!);
  assert.equal(metadata.algorithm, 'proto-maml');
  assert.deepEqual(metadata.spec, { ...imageSource(config, splits).spec });
  assert.ok(!tensors.has('head.weight'), 'no stored head: it is set per task');
  for (const name of conv4BufferNames()) assert.ok(tensors.has(name), name);
  const extras = metadata.extras as {
    inference: { steps: number; innerLr: number };
    provenance: {
      stages: { kind: string; steps: number; best: unknown }[];
      selection: { byShots: Record<string, unknown> }[];
      cpuHours: number;
      split: { validationClasses: number };
    };
  };
  assert.equal(extras.inference.steps, 1);
  assert.deepEqual(
    extras.provenance.stages.map((s) => [s.kind, s.steps]),
    [
      ['pretrain', 8],
      ['meta', 3],
      ['meta', 2],
    ],
  ); // 8 classes × 4 images × 4 turns / 16 = 8 steps
  assert.equal(extras.provenance.selection.length, 2);
  assert.deepEqual(Object.keys(extras.provenance.selection[0]!.byShots), ['1', '2'], 'each setting scored on 1- and 2-shot validation tasks');
  assert.equal(extras.provenance.split.validationClasses, 8);
  const calibration = (extras.provenance as unknown as { calibration: { factor: number; lossBefore: number; lossAfter: number } }).calibration;
  assert.ok(calibration.factor > 0 && calibration.lossAfter <= calibration.lossBefore, 'the feature scale was calibrated before the first meta stage');
  assert.ok(extras.provenance.cpuHours > 0);
  assert.ok(run.validations.length >= 5);
});

test('a pipeline stopped mid-stage resumes where it stopped and finishes with the same model', async () => {
  const config = resolveTrainingConfig(input, () => 0);
  const whole = memoryContext();
  await runTraining(whole.ctx, config, imageSource(config, splits));
  for (const stopAfter of [4, 9]) {
    const first = memoryContext(stopAfter);
    const outcome = await runTraining(first.ctx, config, imageSource(config, splits));
    assert.equal(outcome.status, 'handed-back');
    const second = memoryContext(Infinity, first.latest());
    await runTraining(second.ctx, config, imageSource(config, splits));
    const a = decodeCheckpoint(whole.model()!).tensors;
    const b = decodeCheckpoint(second.model()!).tensors;
    for (const [name, t] of a) {
      const other = b.get(name)!.data;
      const diff = Math.max(...Array.from(t.data as Float32Array, (v, i) => Math.abs(v - (other[i] as number))));
      assert.ok(diff < 1e-4, `${name} after a stop at check ${stopAfter}: ${diff}`);
    }
  }
});

test('pipeline configuration: pre-training first, frozen prototype networks only with stages', () => {
  assert.throws(() => resolveTrainingConfig({ ...input, stages: [{ kind: 'meta' }] }, () => 0), TrainingConfigError);
  assert.throws(() => resolveTrainingConfig({ ...input, stages: [{ kind: 'pretrain' }, { kind: 'pretrain' }] }, () => 0), TrainingConfigError);
  assert.throws(() => resolveTrainingConfig({ dataset: 'omniglot', architecture: { headInit: 'prototype' } }, () => 0), TrainingConfigError);
  assert.throws(() => resolveTrainingConfig({ ...input, architecture: { headInit: 'random' } }, () => 0), TrainingConfigError);
  assert.throws(() => resolveTrainingConfig({ dataset: 'sinusoid', stages: [{ kind: 'pretrain' }] }, () => 0), TrainingConfigError);
  const meta = resolveTrainingConfig(input, () => 0).stages[2]!;
  assert.deepEqual(meta.kind === 'meta' && [meta.nWay, meta.queryPerClass, meta.algorithm], [3, 1, 'maml'], 'a meta stage inherits the job task shape');
});

test("an epoch is the training split's images (× 4 turns), not every image of the shared array", () => {
  const shared = splits.train; // the same seeded store
  const half = { ...shared, classes: shared.classes.slice(0, 4) }; // 16 of the array's 32 images
  const source = imageSource(
    resolveTrainingConfig(input, () => 0),
    { ...splits, train: half },
  );
  assert.equal(stageSteps({ kind: 'pretrain', epochs: 2, batchSize: 16, lr: 1e-3, augment: true, evalEvery: 1, patience: 1 }, source, true), 8); // 2 × 16 × 4 / 16
  assert.equal(stageSteps({ kind: 'pretrain', epochs: 2, batchSize: 16, lr: 1e-3, augment: true, evalEvery: 1, patience: 1 }, source, false), 2);
});

test('serving-setting selection: a diverging rate is recorded and never chosen; a restart goes on after the last setting tried', async () => {
  const config = resolveTrainingConfig(
    { ...input, stages: input.stages!.slice(0, 1), selection: { steps: [1], innerLr: [0.05, 1e30], adapt: ['all'], shots: [1] } },
    () => 0,
  );
  const checkpoints: ResumePoint[] = [];
  const logs: string[] = [];
  const run = memoryContext();
  const ctx: TrainingContext = {
    ...run.ctx,
    log: (m) => void logs.push(m),
    storeCheckpoint: async (bytes, iteration, s) => (
      checkpoints.push({ id: `c${checkpoints.length}`, checkpoint: bytes, iteration, trainingSeconds: s }), run.ctx.storeCheckpoint(bytes, iteration, s)
    ),
  };
  const before = tf.memory().numTensors;
  assert.equal((await runTraining(ctx, config, imageSource(config, splits))).status, 'completed');
  assert.equal(tf.memory().numTensors, before);
  const extras = decodeCheckpoint(run.model()!).metadata.extras as {
    inference: { innerLr: number };
    provenance: { selection: { innerLr: number; diverged?: boolean }[] };
  };
  assert.deepEqual(
    extras.provenance.selection.map((t) => [t.innerLr, t.diverged ?? false]),
    [
      [0.05, false],
      [1e30, true],
    ],
  );
  assert.equal(extras.inference.innerLr, 0.05);
  assert.ok(
    logs.some((m) => m.includes('diverged')),
    logs.join('\n'),
  );

  const cursorOf = (c: ResumePoint) => (decodeCheckpoint(c.checkpoint).metadata.extras as { cursor: { selection?: unknown[] } }).cursor;
  const afterFirst = checkpoints.find((c) => cursorOf(c).selection?.length === 1)!;
  assert.ok(afterFirst, 'a checkpoint after each setting tried');
  const again: string[] = [];
  const resumed = memoryContext(Infinity, afterFirst);
  await runTraining({ ...resumed.ctx, log: (m) => void again.push(m) }, config, imageSource(config, splits));
  assert.ok(!again.some((m) => m.startsWith('selection 1:')) && again.some((m) => m.startsWith('selection 2:')), again.join('\n'));
  assert.equal((decodeCheckpoint(resumed.model()!).metadata.extras as { inference: { innerLr: number } }).inference.innerLr, 0.05);
});

test('serving settings: the cheapest of those within SELECTION_TIE of the best validation', () => {
  const t = (adapt: 'all' | 'head', steps: number, innerLr: number, score: number) => ({ adapt, steps, innerLr, score });
  assert.deepEqual(
    cheapestOfBest([t('all', 1, 0.003, 0.9509), t('all', 1, 0.01, 0.9506), t('head', 1, 0.003, 0.95075), t('head', 1, 0.01, 0.95075)]),
    t('head', 1, 0.003, 0.95075),
  );
  assert.deepEqual(
    cheapestOfBest([t('all', 1, 0.003, 0.96), t('head', 1, 0.003, 0.95)]),
    t('all', 1, 0.003, 0.96),
    'a clearly better setting wins whatever it costs',
  );
  assert.deepEqual(cheapestOfBest([t('all', 3, 0.01, 0.9), t('all', 1, 0.01, 0.9)]), t('all', 1, 0.01, 0.9));
  assert.equal(cheapestOfBest([]), null);
});
