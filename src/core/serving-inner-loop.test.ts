/**
 * The native first-order inner loop (adaptFast for all-layer adaptation: one MamlConv4Adapt call)
 * against the tfjs reference (adapt, predict): the same θ′, support loss and accuracy, batch
 * moments and query scores within float tolerance, on real Omniglot drawings (OMNIGLOT_DIR), for
 * both Conv4 bodies with batch statistics and with frozen moments (the shipped model), learned
 * rates, a subset of parameters, and 2 kernel threads; no tensor leaks.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from './tf.ts';
import { adapt, type AdaptResult, predict } from './adapt.ts';
import { decodeCheckpoint, LEARNED_LR_PREFIX, toParams } from './checkpoint/index.ts';
import { createNetwork } from './nets/index.ts';
import { adaptFast, clearFoldCache, type FastAdaptOptions, predictFast } from './serving.ts';
import type { Network, NetworkSpec, Params } from './types.ts';
import { evaluationDrawings } from '../data/testing/drawings.ts';
import { registerFastKernels, setKernelThreads } from '../kernels/index.ts';

await tf.setBackend('wasm');
const registration = registerFastKernels(tf);
const skip = tf.getKernel('MamlConv4Adapt', 'wasm') === undefined ? `native kernels not available: ${registration.reason}` : false;

const ROOT = path.resolve(import.meta.dirname, '../..');
const OMNIGLOT = process.env.OMNIGLOT_DIR ?? path.resolve(ROOT, '../shared/data/omniglot');
const MODEL = path.resolve(ROOT, 'models/omniglot.safetensors');

const maxAbs = (t: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]!);
const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => maxAbs(tf.sub(a, b)));

/** `ways` characters of an evaluation alphabet: 1 support and `queries` query drawings each, preprocessed as the shipped model's. */
async function drawings(ways: number, queries: number) {
  const { metadata } = decodeCheckpoint(await readFile(MODEL));
  return evaluationDrawings(OMNIGLOT, metadata.preprocessing!, ways, queries);
}

/** θ′, loss, accuracy (and moments when both have them) of the fast path against the reference. */
function assertSameAdaptation(fast: AdaptResult, reference: AdaptResult, tolerance: number): void {
  assert.deepEqual(Object.keys(fast.params).sort(), Object.keys(reference.params).sort());
  for (const [name, t] of Object.entries(reference.params)) {
    assert.deepEqual(fast.params[name]!.shape, t.shape, name);
    const scale = maxAbs(t),
      diff = maxAbsDiff(fast.params[name]!, t);
    assert.ok(diff <= tolerance * Math.max(1, scale), `${name}: difference ${diff} (scale ${scale})`);
  }
  assert.ok(
    Math.abs(fast.supportLoss - reference.supportLoss) <= 1e-3 * Math.max(1, reference.supportLoss),
    `loss ${fast.supportLoss} vs ${reference.supportLoss}`,
  );
  assert.equal(fast.supportAccuracy, reference.supportAccuracy);
}

/** Query probabilities of θ′ through predictFast (fast θ′) and predict (reference θ′): close, same classes. */
function assertSameScores(net: Network, fast: Params, reference: Params, q: tf.Tensor4D): void {
  const expected = predict(net, reference, q);
  const got = predictFast(net, fast, q) ?? predict(net, fast, q);
  assert.ok(maxAbsDiff(got, expected) < 1e-3, `probability difference ${maxAbsDiff(got, expected)}`);
  const argmax = (t: tf.Tensor) => tf.tidy(() => Array.from(tf.argMax(t, 1).dataSync()));
  assert.deepEqual(argmax(got), argmax(expected));
  tf.dispose([expected, got]);
}

function disposeResult(r: AdaptResult): void {
  tf.dispose([...Object.values(r.params), ...(r.moments ?? []).flatMap((m) => [m.mean, m.variance])]);
}

for (const variant of ['strided', 'maxpool'] as const) {
  test(`all-layer adaptFast (native inner loop) = adapt, batch statistics, ${variant}, 5-way 5 steps at lr 0.4 (real drawings)`, { skip }, async () => {
    const net = createNetwork({ kind: 'conv4', variant, inputSize: 28, channels: 1, filters: 64, outputs: 5, headInit: 'random' });
    const params = net.init(3);
    const { x, y, q } = await drawings(5, 3);
    const before = tf.memory().numTensors;
    const options: FastAdaptOptions = { steps: 5, lr: 0.4, moments: true };
    const reference = adapt(net, params, { x, y }, options);
    let calls = 0;
    const profile = await tf.profile(() => {
      const r = adaptFast(net, params, { x, y }, options)!;
      calls = 1;
      disposeResult(r);
    });
    assert.equal(calls, 1);
    assert.deepEqual(
      profile.kernels.map((k) => k.name).filter((n) => n === 'MamlConv4Adapt'),
      ['MamlConv4Adapt'],
      'one native call for the 5 steps',
    );
    const fast = adaptFast(net, params, { x, y }, options)!;
    assert.ok(reference.supportLoss < 1.5, `the steps learn something (loss ${reference.supportLoss})`);
    assertSameAdaptation(fast, reference, 2e-4);
    // θ′'s batch moments on the support set, as /adapt stores them for /predict
    const moments = net.moments!(reference.params, x);
    assert.equal(fast.moments?.length, moments.length);
    moments.forEach((m, i) => {
      for (const key of ['mean', 'variance'] as const) {
        const scale = maxAbs(m[key]),
          diff = maxAbsDiff(fast.moments![i]![key], m[key]);
        assert.ok(diff <= 2e-4 * Math.max(1, scale), `block ${i} ${key}: difference ${diff} (scale ${scale})`);
      }
    });
    assertSameScores(net, fast.params, reference.params, q);
    // on 2 kernel threads: row shares of the same arithmetic, bitwise the 1-thread θ′
    const previous = setKernelThreads(2);
    const two = adaptFast(net, params, { x, y }, options)!;
    setKernelThreads(previous);
    for (const [name, t] of Object.entries(fast.params))
      assert.deepEqual(Array.from(two.params[name]!.dataSync()), Array.from(t.dataSync()), `${name} on 2 threads`);
    tf.dispose(moments.flatMap((m) => [m.mean, m.variance]));
    [reference, fast, two].forEach(disposeResult);
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    tf.dispose([x, y, q, ...Object.values(params)]);
  });
}

test('all-layer adaptFast = adapt on the shipped model (max-pool, frozen batch norm, prototype head), 5- and 20-way', { skip }, async () => {
  const { tensors, metadata } = decodeCheckpoint(await readFile(MODEL));
  const net = createNetwork(metadata.spec);
  const params = toParams(new Map([...tensors].filter(([name]) => !name.startsWith(LEARNED_LR_PREFIX))));
  for (const [ways, steps, lr] of [
    [5, 3, 0.01],
    [20, 1, 0.01],
  ] as const) {
    const { x, y, q } = await drawings(ways, 2);
    const before = tf.memory().numTensors;
    const reference = adapt(net, params, { x, y }, { steps, lr });
    const fast = adaptFast(net, params, { x, y }, { steps, lr, moments: true })!;
    assert.equal(fast.moments, undefined, 'frozen moments are part of θ');
    assertSameAdaptation(fast, reference, 1e-4);
    assertSameScores(net, fast.params, reference.params, q);
    [reference, fast].forEach(disposeResult);
    clearFoldCache();
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    tf.dispose([x, y, q]);
  }
  tf.dispose(Object.values(params));
});

test('all-layer adaptFast = adapt with frozen moments on the strided body, learned rates (per step, per parameter) and a subset of parameters', {
  skip,
}, async () => {
  const spec = { kind: 'conv4', variant: 'strided', inputSize: 28, channels: 1, filters: 32, outputs: 5, headInit: 'random' } as NetworkSpec;
  const frozenNet = createNetwork({ ...spec, normalization: 'frozen' } as NetworkSpec);
  const net = createNetwork(spec);
  const { x, y, q } = await drawings(5, 2);
  const frozenParams = frozenNet.init(5);
  const params = net.init(6);
  const trainable = Object.keys(params);
  const perStep: Params = Object.fromEntries(trainable.map((name, i) => [name, tf.tensor1d([0.3, 0.2 + 0.01 * i, 0.1])]));
  const perParameter: Params = Object.fromEntries(trainable.map((name, i) => [name, tf.fill(params[name]!.shape, 0.05 + 0.02 * (i % 5))]));
  const cases: [string, Network, Params, FastAdaptOptions][] = [
    ['frozen moments', frozenNet, frozenParams, { steps: 3, lr: 0.3 }],
    ['per-step rates', net, params, { steps: 3, lr: { perStep } }],
    ['per-parameter rates', net, params, { steps: 3, lr: { perParameter } }],
    [
      'the last block and the head only',
      net,
      params,
      { steps: 4, lr: 0.4, only: ['block3.conv.weight', 'block3.bn.weight', 'block3.bn.bias', 'head.weight', 'head.bias'] },
    ],
  ];
  for (const [label, n, p, options] of cases) {
    const before = tf.memory().numTensors;
    const reference = adapt(n, p, { x, y }, options);
    const fast = adaptFast(n, p, { x, y }, options);
    assert.ok(fast, `${label}: handled natively`);
    assertSameAdaptation(fast, reference, 2e-4);
    if (options.only)
      assert.deepEqual(
        Array.from(fast.params['block0.conv.weight']!.dataSync()),
        Array.from(p['block0.conv.weight']!.dataSync()),
        `${label}: block 0 unchanged`,
      );
    assertSameScores(n, fast.params, reference.params, q);
    [reference, fast].forEach(disposeResult);
    clearFoldCache(); // predictFast folded θ′'s frozen moments
    assert.equal(tf.memory().numTensors, before, `${label}: no tensor leaks`);
  }
  tf.dispose([x, y, q, ...Object.values(frozenParams), ...Object.values(params), ...Object.values(perStep), ...Object.values(perParameter)]);
});
