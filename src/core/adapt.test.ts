import assert from 'node:assert/strict';
import { test } from 'node:test';
import '@tensorflow/tfjs-backend-wasm';
import { UnknownParameterError, adapt, innerLoop, mamlUpdate, predict } from './adapt.ts';
import { taskLoss } from './loss.ts';
import { LearningRateShapeError, MissingLearningRateError } from './meta/learning-rates.ts';
import { disposeTask, randomImageTask, sineTask } from './meta/synthetic-tasks.ts';
import { createNetwork } from './nets/index.ts';
import * as tf from './tf.ts';
import type { Params } from './types.ts';

await tf.setBackend('wasm');

const net = createNetwork({ kind: 'conv4', variant: 'maxpool', inputSize: 16, channels: 1, filters: 8, outputs: 5, headInit: 'random' });
const shape = { ways: 5, shots: 1, queries: 3, size: 16, channels: 1 };

const snapshot = (p: Params) => Object.fromEntries(Object.entries(p).map(([n, t]) => [n, t.dataSync().slice()]));
const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

test('mamlUpdate: θ − lr·g for the named grads, other names passed through', () => {
  tf.tidy(() => {
    const params = { a: tf.tensor1d([1, 2]), b: tf.tensor1d([3]) };
    const updated = mamlUpdate(params, { a: tf.tensor1d([10, 20]) }, 0.1);
    assert.deepEqual(Array.from(updated.a!.dataSync()), [0, 0]);
    assert.equal(updated.b, params.b);
    const perName = mamlUpdate(params, { a: tf.tensor1d([1, 1]) }, { a: tf.tensor1d([0.5, 2]) });
    assert.deepEqual(Array.from(perName.a!.dataSync()), [0.5, 0]);
  });
});

test('adapt lowers the support loss, returns new tensors and never mutates or disposes θ', () => {
  const params = net.init(1);
  const task = randomImageTask(shape, 1);
  const before = snapshot(params);
  const initial = tf.tidy(() => taskLoss(net.forward(params, task.supportX), task.supportY).dataSync()[0]!);
  const result = adapt(net, params, { x: task.supportX, y: task.supportY }, { steps: 5, lr: 0.4 });
  assert.ok(result.supportLoss < initial, `support loss ${result.supportLoss} not below ${initial}`);
  assert.ok(result.supportAccuracy !== null && result.supportAccuracy >= 0 && result.supportAccuracy <= 1);
  for (const [name, t] of Object.entries(params)) {
    assert.ok(!t.isDisposed, `${name} disposed`);
    assert.deepEqual(t.dataSync(), before[name], `${name} mutated`);
    assert.notEqual(result.params[name], t, `${name} is shared with θ`);
  }
  assert.ok(maxDiff(result.params['block0.conv.weight']!, params['block0.conv.weight']!) > 0);
  tf.dispose(Object.values(result.params));
  for (const t of Object.values(params)) assert.ok(!t.isDisposed);
  tf.dispose(Object.values(params));
  disposeTask(task);
});

test('head-only adapt changes only the head and equals the full-forward inner loop', () => {
  const params = net.init(2);
  const task = randomImageTask(shape, 2);
  const support = { x: task.supportX, y: task.supportY };
  const result = adapt(net, params, support, { steps: 3, lr: 0.4, only: net.headNames });
  for (const name of Object.keys(params)) {
    const changed = maxDiff(result.params[name]!, params[name]!) > 0;
    assert.equal(changed, net.headNames.includes(name), `${name} changed: ${changed}`);
  }
  // the same steps through the full forward (no feature reuse) give the same head
  tf.tidy(() => {
    const viaForward = { ...net, features: undefined, head: undefined };
    const reference = innerLoop(viaForward, params, support, { steps: 3, lr: 0.4, only: net.headNames }).params;
    for (const name of net.headNames) assert.ok(maxDiff(reference[name]!, result.params[name]!) < 1e-5, name);
  });
  tf.dispose([...Object.values(result.params), ...Object.values(params)]);
  disposeTask(task);
});

test('adapt, predict and innerLoop leave tf.memory().numTensors unchanged', () => {
  const params = net.init(3);
  const task = randomImageTask(shape, 3);
  const run = () => {
    const a = adapt(net, params, { x: task.supportX, y: task.supportY }, { steps: 2, lr: 0.4 });
    const b = adapt(net, params, { x: task.supportX, y: task.supportY }, { steps: 2, lr: 0.4, only: net.headNames });
    const p = predict(net, a.params, task.queryX);
    tf.tidy(() => {
      innerLoop(net, params, { x: task.supportX, y: task.supportY }, { steps: 2, lr: 0.4, firstOrder: true, keepSteps: true });
    });
    tf.dispose([...Object.values(a.params), ...Object.values(b.params), p]);
  };
  run();
  const count = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) run();
  assert.equal(tf.memory().numTensors, count);
  tf.dispose(Object.values(params));
  disposeTask(task);
});

test('predict returns class probabilities (classifier) or raw outputs (regression)', () => {
  const mlp = createNetwork({ kind: 'mlp', inputs: 1, hidden: [40, 40], outputs: 1 });
  const mlpParams = mlp.init(0);
  tf.tidy(() => {
    const x = tf.tensor2d([[0.5], [-1]]);
    assert.ok(maxDiff(predict(mlp, mlpParams, x), mlp.forward(mlpParams, x)) === 0);
  });
  tf.dispose(Object.values(mlpParams));
  const params = net.init(4);
  const task = randomImageTask(shape, 4);
  const probs = predict(net, params, task.queryX);
  assert.deepEqual(probs.shape, [15, 5]);
  const sums = tf.tidy(() => probs.sum(1).dataSync());
  for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-5);
  tf.dispose([probs, ...Object.values(params)]);
  disposeTask(task);
});

test('innerLoop: trajectory, learned rates (per step / per parameter), first order', () => {
  const mlp = createNetwork({ kind: 'mlp', inputs: 1, hidden: [40, 40], outputs: 1 });
  const params = mlp.init(0);
  const task = sineTask({ support: 10, query: 10 }, 1);
  const support = { x: task.supportX, y: task.supportY };
  tf.tidy(() => {
    const fixed = innerLoop(mlp, params, support, { steps: 3, lr: 0.01, keepSteps: true });
    assert.equal(fixed.trajectory.length, 3);
    assert.equal(fixed.trajectory[2], fixed.params);
    const names = Object.keys(params);
    const perStep = innerLoop(mlp, params, support, { steps: 3, lr: { perStep: Object.fromEntries(names.map((n) => [n, tf.fill([3], 0.01)])) } });
    const perParameter = innerLoop(mlp, params, support, {
      steps: 3,
      lr: { perParameter: Object.fromEntries(names.map((n) => [n, tf.fill(params[n]!.shape, 0.01)])) },
    });
    const firstOrder = innerLoop(mlp, params, support, { steps: 3, lr: 0.01, firstOrder: true });
    for (const name of names) {
      for (const other of [perStep, perParameter, firstOrder]) assert.ok(maxDiff(other.params[name]!, fixed.params[name]!) < 1e-6, name);
    }
    assert.throws(() => innerLoop(mlp, params, support, { steps: 3, lr: { perStep: { 'layer0.weight': tf.fill([3], 0.01) } } }), MissingLearningRateError);
    assert.throws(
      () => innerLoop(mlp, params, support, { steps: 3, lr: { perStep: Object.fromEntries(names.map((n) => [n, tf.fill([2], 0.01)])) } }),
      LearningRateShapeError,
    );
    assert.throws(() => innerLoop(mlp, params, support, { steps: 1, lr: 0.1, only: ['nope'] }), UnknownParameterError);
  });
  tf.dispose(Object.values(params));
  disposeTask(task);
});
