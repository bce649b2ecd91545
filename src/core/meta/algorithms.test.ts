import assert from 'node:assert/strict';
import { test } from 'node:test';
import '@tensorflow/tfjs-backend-wasm';
import { adapt } from '../adapt.ts';
import { createNetwork } from '../nets/index.ts';
import * as tf from '../tf.ts';
import type { Params } from '../types.ts';
import { META_ALGORITHMS, type MetaAlgorithmName } from './algorithm.ts';
import { multiStepLossWeights } from './algorithms/mamlpp.ts';
import { clipByGlobalNorm, globalNorm } from './clip.ts';
import { InvalidMetaConfigError, type MetaAlgorithmConfig, createMetaAlgorithm } from './registry.ts';
import { type MetaState, disposeMetaState, metaStateFromTensors, metaStateTensors } from './state.ts';
import { disposeTask, sineTask } from './synthetic-tasks.ts';

await tf.setBackend('wasm');

const mlp = createNetwork({ kind: 'mlp', inputs: 1, hidden: [40, 40], outputs: 1 });
const base = { innerSteps: 2, innerLr: 0.01, optimizer: { kind: 'adam', lr: 0.005 } } as const;
const configs: Record<MetaAlgorithmName, MetaAlgorithmConfig> = {
  maml: { kind: 'maml', ...base },
  fomaml: { kind: 'fomaml', ...base },
  mamlpp: { kind: 'mamlpp', ...base, multiStepLossSteps: 5, firstOrderSteps: 2 },
  metasgd: { kind: 'metasgd', ...base },
  anil: { kind: 'anil', ...base },
  reptile: { kind: 'reptile', ...base, innerSteps: 5, innerLr: 0.02, optimizer: { kind: 'sgd', lr: 1 } },
};

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

function run(name: MetaAlgorithmName, steps: number, tasks = [1, 2, 3, 4].map((s) => sineTask({ support: 10, query: 10 }, s))) {
  const algorithm = createMetaAlgorithm(configs[name]);
  const init = mlp.init(0);
  let state: MetaState = algorithm.init(init);
  tf.dispose(Object.values(init));
  const losses: number[] = [];
  const flags: boolean[] = [];
  for (let i = 0; i < steps; i++) {
    const { state: next, metrics } = algorithm.step(mlp, state, tasks);
    losses.push(metrics.loss);
    flags.push(metrics.firstOrder);
    disposeMetaState(state);
    state = next;
  }
  return { state, losses, flags, tasks };
}

for (const name of META_ALGORITHMS) {
  test(`${name}: a few meta-steps reduce the meta-loss and leak no tensors`, () => {
    const before = tf.memory().numTensors;
    const { state, losses, tasks } = run(name, 12);
    assert.ok(losses.at(-1)! < 0.9 * losses[0]!, `${name}: query loss ${losses[0]} → ${losses.at(-1)}`);
    disposeMetaState(state);
    tasks.forEach(disposeTask);
    assert.equal(tf.memory().numTensors, before);
  });
}

test('Reptile moves θ towards the adapted parameters: θ + ε(θ′ − θ)', () => {
  const task = sineTask({ support: 10, query: 10 }, 9);
  const algorithm = createMetaAlgorithm({ kind: 'reptile', innerSteps: 3, innerLr: 0.02, optimizer: { kind: 'sgd', lr: 0.25 } });
  const init = mlp.init(1);
  const state = algorithm.init(init);
  const { state: next } = algorithm.step(mlp, state, [task]);
  const { params: adapted } = adapt(mlp, init, { x: task.supportX, y: task.supportY }, { steps: 3, lr: 0.02 });
  for (const name of Object.keys(init)) {
    const expected = tf.tidy(() => tf.add(init[name]!, tf.mul(tf.sub(adapted[name]!, init[name]!), 0.25)));
    assert.ok(maxDiff(next.params[name]!, expected) < 1e-6, name);
    expected.dispose();
  }
  [state, next].forEach(disposeMetaState);
  tf.dispose([...Object.values(init), ...Object.values(adapted)]);
  disposeTask(task);
});

test('Meta-SGD and MAML++ learn their inner rates; MAML++ anneals the derivative order', () => {
  for (const name of ['metasgd', 'mamlpp'] as const) {
    const { state, flags, tasks } = run(name, 3);
    const shapeOf = (n: string) => (name === 'metasgd' ? state.params[n]!.shape : [base.innerSteps]);
    for (const n of Object.keys(state.params)) {
      assert.deepEqual(state.rates[n]!.shape, shapeOf(n));
      assert.ok(maxDiff(state.rates[n]!, tf.scalar(base.innerLr)) > 0, `${name}: rate of ${n} never moved`);
    }
    if (name === 'mamlpp') assert.deepEqual(flags, [true, true, false]);
    disposeMetaState(state);
    tasks.forEach(disposeTask);
  }
});

test('ANIL adapts only the head inside, but meta-learns the body', () => {
  const { state, tasks } = run('anil', 1);
  const init = mlp.init(0);
  for (const n of Object.keys(init)) assert.ok(maxDiff(state.params[n]!, init[n]!) > 0, `${n} unchanged`);
  tf.dispose(Object.values(init));
  disposeMetaState(state);
  tasks.forEach(disposeTask);
});

test('MAML++ multi-step loss weights: uniform, annealed, then final only', () => {
  assert.deepEqual(multiStepLossWeights(4, 0, 10), [0.25, 0.25, 0.25, 0.25]);
  const mid = multiStepLossWeights(4, 5, 10);
  assert.ok(Math.abs(mid.reduce((a, b) => a + b) - 1) < 1e-9 && mid[3]! > mid[0]! && mid[0]! >= 0.03 / 4);
  assert.deepEqual(multiStepLossWeights(4, 10, 10), [0, 0, 0, 1]);
  assert.deepEqual(multiStepLossWeights(3, 0, 0), [0, 0, 1]);
});

test('global-norm clipping', () => {
  const grads: Params = { a: tf.tensor1d([3, 0]), b: tf.tensor1d([4]) };
  assert.equal(globalNorm(grads), 5);
  const { grads: clipped, norm } = clipByGlobalNorm(grads, 1);
  assert.equal(norm, 5);
  assert.ok(Math.abs(globalNorm(clipped) - 1) < 1e-5);
  const { grads: kept } = clipByGlobalNorm(grads, 10);
  assert.deepEqual(Array.from(kept.b!.dataSync()), [4]);
  tf.dispose([...Object.values(grads), ...Object.values(clipped), ...Object.values(kept)]);
});

test('meta state ↔ named tensors round trip; invalid configs are rejected', () => {
  const { state, tasks } = run('mamlpp', 2);
  const named = metaStateTensors(state);
  assert.ok('lr.layer0.weight' in named && 'adam.m.lr.layer0.weight' in named && 'adam.v.layer2.bias' in named);
  const restored = metaStateFromTensors({ ...named });
  assert.equal(restored.step, 2);
  assert.equal(restored.optimizer.t, 2);
  assert.deepEqual(Object.keys(restored.rates).sort(), Object.keys(state.rates).sort());
  assert.equal(restored.params['layer1.weight'], state.params['layer1.weight']);
  disposeMetaState(restored);
  tasks.forEach(disposeTask);
  assert.throws(() => createMetaAlgorithm({ ...configs.maml, innerSteps: -1 }), InvalidMetaConfigError);
  assert.throws(() => createMetaAlgorithm({ ...configs.maml, clipNorm: 0 }), InvalidMetaConfigError);
});
