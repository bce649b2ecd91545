import assert from 'node:assert/strict';
import { test } from 'node:test';
import '@tensorflow/tfjs-backend-wasm';
import { createMetaAlgorithm, type MetaAlgorithmConfig } from '../../core/meta/index.ts';
import { disposeMetaState, type MetaState } from '../../core/meta/state.ts';
import { createNetwork } from '../../core/nets/index.ts';
import { buildImageTask, planTask, Rng, type ImageStore, type TaskShape } from '../../core/tasks/index.ts';
import * as tf from '../../core/tf.ts';
import type { NetworkSpec } from '../../core/types.ts';
import { createMetaStepper } from './meta-stepper.ts';
import type { TaskSource } from './task-source.ts';

await tf.setBackend('wasm');

const spec: NetworkSpec = { kind: 'conv4', variant: 'strided', inputSize: 16, channels: 1, filters: 4, outputs: 3, headInit: 'random' };

function randomStore(): ImageStore {
  const rng = new Rng(5);
  const images = Float32Array.from({ length: 36 * 256 }, () => rng.uniform());
  return { images, height: 16, width: 16, channels: 1, classes: Array.from({ length: 6 }, (_, c) => Array.from({ length: 6 }, (_, i) => c * 6 + i)) };
}

function source(): TaskSource {
  const store = randomStore();
  const shape: TaskShape = { nWay: 3, kShot: 1, queries: 2 };
  const trainPlans = (first: number, size: number) => Array.from({ length: size }, (_, i) => planTask(store, shape, 11, first + i));
  const unused = () => {
    throw new Error('not used');
  };
  return {
    spec,
    preprocessing: null,
    inputShape: [16, 16, 1],
    trainStore: store,
    trainPlans,
    trainBatch: (first, size) => trainPlans(first, size).map((p) => buildImageTask(store, p)),
    validationTask: unused,
    testTask: unused,
  };
}

const base = { innerSteps: 2, innerLr: 0.3, optimizer: { kind: 'adam' as const, lr: 0.01 }, clipNorm: 10 };

/** Three meta-steps of 5 tasks with `threads` threads, from the same θ₀; the final state's values by name. */
async function train(config: MetaAlgorithmConfig, threads: number) {
  const net = createNetwork(spec);
  const algorithm = createMetaAlgorithm(config);
  const initial = net.init(3);
  let state: MetaState = algorithm.init(initial);
  tf.dispose(Object.values(initial));
  const stepper = createMetaStepper(net, algorithm, source(), { threads, backend: 'wasm', current: 'wasm', innerSteps: config.innerSteps });
  const losses: number[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const next = await stepper.step(state, i * 5, 5);
      disposeMetaState(state);
      state = next.state;
      losses.push(next.metrics.loss);
    }
    const values = Object.fromEntries(
      [...Object.entries(state.params), ...Object.entries(state.rates).map(([n, t]) => [`lr.${n}`, t] as const)].map(([n, t]) => [
        n,
        t.dataSync() as Float32Array,
      ]),
    );
    return { values, losses, threads: stepper.threads };
  } finally {
    disposeMetaState(state);
    await stepper.close();
  }
}

const configs: MetaAlgorithmConfig[] = [
  { kind: 'maml', ...base },
  { kind: 'mamlpp', ...base, multiStepLossSteps: 10, firstOrderSteps: 1 },
  { kind: 'metasgd', ...base },
  { kind: 'anil', ...base },
];

for (const config of configs) {
  test(`${config.kind}: meta-steps on a 2-thread pool equal the in-thread steps, and leave no tensors`, async () => {
    const before = tf.memory().numTensors;
    const inline = await train(config, 1);
    const pooled = await train(config, 2);
    assert.equal(inline.threads, 1);
    assert.equal(pooled.threads, 2);
    assert.deepEqual(Object.keys(pooled.values).sort(), Object.keys(inline.values).sort());
    for (const [name, a] of Object.entries(inline.values)) {
      const b = pooled.values[name]!;
      const diff = Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
      assert.ok(diff < 1e-4, `${name}: max |Δ| = ${diff}`);
    }
    inline.losses.forEach((l, i) => assert.ok(Math.abs(l - pooled.losses[i]!) < 1e-4, `loss at step ${i}: ${l} vs ${pooled.losses[i]}`));
    assert.equal(tf.memory().numTensors, before);
  });
}

test('Reptile has no meta-gradient to spread: it steps in this thread whatever the thread count', async () => {
  const reptile = await train({ kind: 'reptile', ...base, optimizer: { kind: 'sgd', lr: 0.5 } }, 2);
  assert.equal(reptile.threads, 1);
});
