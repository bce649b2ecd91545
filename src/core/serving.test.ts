import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from './tf.ts';
import { adapt, predict } from './adapt.ts';
import { decodeCheckpoint, toParams } from './checkpoint/index.ts';
import { createNetwork } from './nets/index.ts';
import { adaptFast, clearFoldCache, fastAdaptable, foldedFeatures, foldFrozenBatchNorm, disposeFolded, predictFast } from './serving.ts';
import type { NetworkSpec, Params } from './types.ts';
import { evaluationDrawings } from '../data/testing/drawings.ts';
import { batchNorm } from './ops/batch-norm.ts';
import { registerFastKernels, setKernelThreads, unregisterFastKernels } from '../kernels/index.ts';

await tf.setBackend('wasm');
registerFastKernels(tf);

const ROOT = path.resolve(import.meta.dirname, '../..');
const OMNIGLOT = process.env.OMNIGLOT_DIR ?? path.resolve(ROOT, '../shared/data/omniglot');
const MODEL = path.resolve(ROOT, 'models/omniglot.safetensors');

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

/** The shipped model and `ways` characters of an evaluation alphabet: 1 support + `queries` query drawings each. */
async function shipped(ways: number, queries: number) {
  const { tensors, metadata } = decodeCheckpoint(await readFile(MODEL));
  const net = createNetwork(metadata.spec);
  const params = toParams(tensors);
  const { x, y, q } = await evaluationDrawings(OMNIGLOT, metadata.preprocessing!, ways, queries);
  return { net, params, metadata, x, y, q };
}

test('folded frozen batch norm gives the reference body features (shipped model, real drawings)', async () => {
  const { net, params, x, y, q } = await shipped(5, 3);
  const before = tf.memory().numTensors;
  const folded = foldFrozenBatchNorm(net, params)!;
  const fast = foldedFeatures(folded, q);
  const reference = tf.tidy(() => net.features!(params, q));
  const scale = tf.tidy(() => tf.max(tf.abs(reference)).dataSync()[0]!);
  assert.ok(scale > 0.1, `features are not all zero (${scale})`);
  assert.ok(maxAbsDiff(fast, reference) < 1e-4 * Math.max(1, scale), `feature difference ${maxAbsDiff(fast, reference)} (scale ${scale})`);
  tf.dispose([fast, reference]);
  disposeFolded(folded);
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([x, y, q, ...Object.values(params)]);
});

test('the same features on 2 kernel threads, and with the stock kernels (no fused conv + pool kernel)', async () => {
  const { net, params, x, y, q } = await shipped(5, 3);
  const folded = foldFrozenBatchNorm(net, params)!;
  const one = foldedFeatures(folded, q);
  const previous = setKernelThreads(2);
  const two = foldedFeatures(folded, q);
  setKernelThreads(previous);
  unregisterFastKernels(tf);
  const stock = foldedFeatures(folded, q);
  registerFastKernels(tf);
  assert.deepEqual(Array.from(two.dataSync()), Array.from(one.dataSync()));
  assert.ok(maxAbsDiff(stock, one) < 1e-4, `stock difference ${maxAbsDiff(stock, one)}`);
  tf.dispose([one, two, stock]);
  disposeFolded(folded);
  tf.dispose([x, y, q, ...Object.values(params)]);
});

for (const [ways, steps, lr] of [
  [5, 1, 0.01],
  [20, 1, 0.01],
  [5, 3, 0.4],
] as const) {
  test(`head-only adaptFast / predictFast = adapt / predict, ${ways}-way, ${steps} step(s) at lr ${lr} (shipped model, real drawings)`, async () => {
    const { net, params, x, y, q } = await shipped(ways, 2);
    const options = { steps, lr, only: net.headNames };
    assert.ok(fastAdaptable(net, lr, net.headNames, { x, y }));
    const before = tf.memory().numTensors;
    const reference = adapt(net, params, { x, y }, options);
    const fast = adaptFast(net, params, { x, y }, options)!;
    assert.deepEqual(Object.keys(fast.params).sort(), Object.keys(reference.params).sort());
    for (const [name, t] of Object.entries(reference.params)) {
      assert.deepEqual(fast.params[name]!.shape, t.shape, name);
      const scale = tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]!);
      const diff = maxAbsDiff(fast.params[name]!, t);
      assert.ok(diff <= 1e-4 * Math.max(1, scale), `${name}: difference ${diff} (scale ${scale})`);
    }
    assert.ok(
      Math.abs(fast.supportLoss - reference.supportLoss) < 1e-3 * Math.max(1, reference.supportLoss),
      `loss ${fast.supportLoss} vs ${reference.supportLoss}`,
    );
    assert.equal(fast.supportAccuracy, reference.supportAccuracy);
    // Scores of the query drawings with θ′: the fast forward against the reference one.
    const expected = predict(net, reference.params, q);
    const got = predictFast(net, fast.params, q)!;
    assert.ok(maxAbsDiff(got, expected) < 1e-4, `probability difference ${maxAbsDiff(got, expected)}`);
    const argmax = (t: tf.Tensor) => tf.tidy(() => Array.from(tf.argMax(t, 1).dataSync()));
    assert.deepEqual(argmax(got), argmax(expected));
    // θ′ keeps θ's body tensors (clones), so a second call finds the folded body in the cache
    const again = adaptFast(net, fast.params, { x, y }, { ...options, steps: 0 })!;
    assert.ok(maxAbsDiff(again.params['head.weight']!, fast.params['head.weight']!) >= 0);
    tf.dispose([expected, got, ...Object.values(reference.params), ...Object.values(fast.params), ...Object.values(again.params)]);
    clearFoldCache();
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    tf.dispose([x, y, q, ...Object.values(params)]);
  });
}

test('the fast path declines what it does not implement (the caller runs the reference)', () => {
  const spec = {
    kind: 'conv4',
    variant: 'maxpool',
    inputSize: 28,
    channels: 1,
    filters: 4,
    outputs: 5,
    headInit: 'prototype',
    normalization: 'frozen',
  } as NetworkSpec;
  const net = createNetwork(spec);
  const params: Params = net.init(1);
  const x = tf.zeros([2, 28, 28, 1]) as tf.Tensor4D;
  const y = tf.tensor1d([0, 1], 'int32');
  assert.equal(adaptFast(net, params, { x, y }, { steps: 1, lr: { perStep: {} }, only: net.headNames }), undefined, 'learned rates, head only');
  assert.equal(adaptFast(net, params, { x, y }, { steps: 1, lr: { perStep: {} } }), undefined, 'learned rates with a per-task head');
  // all layers: the native inner loop (serving_inner_loop.test.ts), or the reference without the addon's kernel
  unregisterFastKernels(tf);
  assert.equal(adaptFast(net, params, { x, y }, { steps: 1, lr: 0.1 }), undefined, 'all layers without the native kernels');
  registerFastKernels(tf);
  const batchNet = createNetwork({ ...spec, normalization: 'batch' } as NetworkSpec);
  assert.equal(predictFast(net, params, x), undefined, 'no head in θ');
  assert.equal(predictFast(batchNet, params, x, { moments: [] }), undefined, 'moments of the wrong length');
  tf.dispose([x, y, ...Object.values(params)]);
});

for (const variant of ['strided', 'maxpool'] as const) {
  test(`head-only adaptFast / predictFast = adapt / predict with batch statistics and a stored head (${variant}, 5 steps, as bench:core's head-only case)`, () => {
    const net = createNetwork({ kind: 'conv4', variant, inputSize: 28, channels: 1, filters: 16, outputs: 5, headInit: 'random' });
    const params = net.init(2);
    const x = tf.randomUniform([5, 28, 28, 1], 0, 1, 'float32', 4) as tf.Tensor4D;
    const y = tf.tensor1d([0, 1, 2, 3, 4], 'int32');
    const before = tf.memory().numTensors;
    const options = { steps: 5, lr: 0.4, only: net.headNames };
    const reference = adapt(net, params, { x, y }, options);
    const fast = adaptFast(net, params, { x, y }, options)!;
    for (const name of net.headNames) {
      const diff = maxAbsDiff(fast.params[name]!, reference.params[name]!);
      assert.ok(diff < 1e-5, `${name}: difference ${diff}`);
    }
    assert.ok(Math.abs(fast.supportLoss - reference.supportLoss) < 1e-5);
    assert.equal(fast.supportAccuracy, reference.supportAccuracy);
    // Prediction: with the queries' own batch statistics, and with the support set's moments (what /predict does).
    const q = tf.randomUniform([12, 28, 28, 1], 0, 1, 'float32', 9) as tf.Tensor4D;
    const moments = net.moments!(reference.params, x);
    for (const options of [{}, { moments }]) {
      const expected = predict(net, reference.params, q, options);
      const got = predictFast(net, reference.params, q, options)!;
      assert.ok(maxAbsDiff(got, expected) < 1e-4, `probability difference ${maxAbsDiff(got, expected)} (${Object.keys(options).join() || 'batch statistics'})`);
      tf.dispose([expected, got]);
    }
    tf.dispose([q, ...moments.flatMap((m) => [m.mean, m.variance])]);
    tf.dispose([...Object.values(reference.params), ...Object.values(fast.params)]);
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    tf.dispose([x, y, ...Object.values(params)]);
  });
}

test('native batch norm kernels (value, first-order gradient) = the differentiable ops they stand in for', () => {
  const x = tf.randomNormal([6, 5, 5, 8], 0.3, 2, 'float32', 11) as tf.Tensor4D;
  const gamma = tf.randomNormal([8], 1, 0.5, 'float32', 12) as tf.Tensor1D;
  const beta = tf.randomNormal([8], 0, 0.5, 'float32', 13) as tf.Tensor1D;
  const weights = tf.randomNormal([6, 5, 5, 8], 0, 1, 'float32', 14);
  const run = () => {
    return tf.tidy(() => {
      const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(batchNorm(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D), weights));
      const [dx, dg, db] = tf.grads(f)([x, gamma, beta]);
      return [batchNorm(x, gamma, beta), dx!, dg!, db!];
    });
  };
  const before = tf.memory().numTensors;
  const native = run();
  unregisterFastKernels(tf);
  const reference = run();
  registerFastKernels(tf);
  native.forEach((t, i) => assert.ok(maxAbsDiff(t, reference[i]!) < 2e-4, `output ${i}: difference ${maxAbsDiff(t, reference[i]!)}`));
  tf.dispose([...native, ...reference]);
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([x, gamma, beta, weights]);
});
