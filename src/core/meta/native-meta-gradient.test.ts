/**
 * The native meta-gradient (metaGradient's MamlConv4MetaGradient path) against the tfjs
 * reference (metaGradient with `reference`): the same θ and rate gradients within float tolerance,
 * the same objective, loss and accuracy, on real Omniglot drawings (OMNIGLOT_DIR): both Conv4
 * bodies, exact second order (which differs from first order here, so agreement is not an
 * accident), first order, several steps with MAML++'s step weights, learned per-step and
 * per-parameter rates, a parameter subset, no steps, frozen moments with a prototype head (the
 * shipped model's architecture), 2 kernel threads; one kernel call per batch; the reference for
 * what the kernel does not handle; no tensor leaks.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import '@tensorflow/tfjs-backend-wasm';
import { evaluationDrawings } from '../../data/testing/drawings.ts';
import { registerFastKernels, setKernelThreads } from '../../kernels/index.ts';
import { taskLoss } from '../loss.ts';
import { createNetwork } from '../nets/index.ts';
import * as tf from '../tf.ts';
import type { Network, NetworkSpec, Params, Task } from '../types.ts';
import { type MetaGradientOptions, type MetaGradientResult, metaGradient } from './meta-gradient.ts';

await tf.setBackend('wasm');
const registration = registerFastKernels(tf);
const skip = tf.getKernel('MamlConv4MetaGradient', 'wasm') === undefined ? `native kernels not available: ${registration.reason}` : false;

const ROOT = path.resolve(import.meta.dirname, '../../..');
const OMNIGLOT = process.env.OMNIGLOT_DIR ?? path.resolve(ROOT, '../shared/data/omniglot');
const PREPROCESSING = { size: 28, channels: 1, invert: true, resize: 'area', normalisation: { mean: 0, std: 1 } } as const;

/** A 5-way 1-shot task from one evaluation alphabet: `queries` query drawings per class. */
async function task(alphabet: string, queries = 3): Promise<Task<tf.Tensor4D>> {
  const { x, y, q } = await evaluationDrawings(OMNIGLOT, PREPROCESSING, 5, queries, alphabet);
  const queryY = tf.tensor1d(
    Array.from({ length: 5 * queries }, (_, i) => Math.floor(i / queries)),
    'int32',
  );
  return { supportX: x, supportY: y, queryX: q, queryY };
}

const maxAbs = (t: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]!);

/** Largest difference over all gradients, relative to each gradient's largest entry. */
function relativeDifference(a: Params, b: Params): number {
  assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort());
  let worst = 0;
  for (const [name, t] of Object.entries(b)) {
    assert.deepEqual(a[name]!.shape, t.shape, name);
    const diff = tf.tidy(() => maxAbs(tf.sub(a[name]!, t)));
    worst = Math.max(worst, diff / Math.max(maxAbs(t), 1e-6));
  }
  return worst;
}

function assertSame(native: MetaGradientResult, reference: MetaGradientResult, label: string, tolerance = 1e-4): void {
  const grads = relativeDifference(native.grads, reference.grads);
  assert.ok(grads <= tolerance, `${label}: θ gradients differ by ${grads} (relative)`);
  const rates = relativeDifference(native.rateGrads, reference.rateGrads);
  assert.ok(rates <= tolerance, `${label}: rate gradients differ by ${rates} (relative)`);
  for (const key of ['objective', 'loss'] as const)
    assert.ok(Math.abs(native[key] - reference[key]) <= 1e-5 * Math.max(1, reference[key]), `${label}: ${key} ${native[key]} vs ${reference[key]}`);
  assert.ok(Math.abs(native.accuracy! - reference.accuracy!) < 1e-6, `${label}: accuracy ${native.accuracy} vs ${reference.accuracy}`);
}

function dispose(r: MetaGradientResult): void {
  tf.dispose([...Object.values(r.grads), ...Object.values(r.rateGrads)]);
}

/** metaGradient natively (checking it is one kernel call) and through the reference. */
async function both(net: Network, params: Params, tasks: Task[], options: MetaGradientOptions) {
  let native: MetaGradientResult | undefined;
  const profile = await tf.profile(() => {
    native = metaGradient(net, params, tasks, options);
    return [];
  });
  assert.deepEqual(
    profile.kernels.map((k) => k.name).filter((n) => n === 'MamlConv4MetaGradient'),
    ['MamlConv4MetaGradient'],
    'one native call for the batch',
  );
  assert.ok(profile.kernels.length < 20 + 4 * tasks.length, `${profile.kernels.length} kernel calls`);
  return { native: native!, reference: metaGradient(net, params, tasks, { ...options, reference: true }) };
}

const conv4 = (variant: 'strided' | 'maxpool', extra: Partial<Extract<NetworkSpec, { kind: 'conv4' }>> = {}) =>
  createNetwork({ kind: 'conv4', variant, inputSize: 28, channels: 1, filters: 64, outputs: 5, headInit: 'random', ...extra } as NetworkSpec);

for (const variant of ['strided', 'maxpool'] as const) {
  test(`native second-order meta-gradient = reference, ${variant}, batch statistics, 2 tasks, 1 step at lr 0.4 (real drawings)`, { skip }, async () => {
    const net = conv4(variant);
    const params = net.init(3);
    const tasks = [await task('Malayalam'), await task('Kannada')];
    const before = tf.memory().numTensors;
    const { native, reference } = await both(net, params, tasks, { steps: 1, lr: 0.4 });
    assertSame(native, reference, variant);
    const firstOrder = metaGradient(net, params, tasks, { steps: 1, lr: 0.4, firstOrder: true, reference: true });
    const gap = relativeDifference(firstOrder.grads, reference.grads);
    assert.ok(gap > 0.1, `second order differs from first order here (${gap})`);
    const fo = metaGradient(net, params, tasks, { steps: 1, lr: 0.4, firstOrder: true });
    assertSame(fo, firstOrder, `${variant} first order`);
    if (variant === 'strided') {
      // on 2 kernel threads: row shares of the same arithmetic, bitwise the 1-thread result
      const previous = setKernelThreads(2);
      const two = metaGradient(net, params, tasks, { steps: 1, lr: 0.4 });
      setKernelThreads(previous);
      for (const [name, t] of Object.entries(native.grads)) assert.deepEqual(Array.from(two.grads[name]!.dataSync()), Array.from(t.dataSync()), name);
      dispose(two);
    }
    [native, reference, firstOrder, fo].forEach(dispose);
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    tf.dispose([...tasks.flatMap((t) => [t.supportX, t.supportY, t.queryX, t.queryY]), ...Object.values(params)]);
  });
}

test('native = reference: several steps with step weights, learned rates (per step, per parameter), a subset, no steps', { skip }, async () => {
  const net = conv4('strided', { filters: 32 });
  const params = net.init(5);
  const tasks = [await task('Malayalam', 2), await task('Tibetan', 2)];
  const trainable = Object.keys(params);
  const perStep: Params = Object.fromEntries(trainable.map((name, i) => [name, tf.tensor1d([0.3, 0.2 + 0.01 * i, 0.1])]));
  const perParameter: Params = Object.fromEntries(trainable.map((name, i) => [name, tf.fill(params[name]!.shape, 0.05 + 0.02 * (i % 5))]));
  const cases: [string, MetaGradientOptions][] = [
    ['3 steps, step weights', { steps: 3, lr: 0.4, stepWeights: [0.2, 0.3, 0.5] }],
    ['per-step rates (MAML++)', { steps: 3, lr: { perStep } }],
    ['per-parameter rates (Meta-SGD)', { steps: 2, lr: { perParameter } }],
    ['per-step rates, first order', { steps: 2, lr: { perStep }, firstOrder: true }],
    ['the last block and the head only', { steps: 2, lr: 0.4, only: ['block3.conv.weight', 'block3.bn.weight', 'head.weight', 'head.bias'] }],
    ['no steps', { steps: 0, lr: 0.4 }],
  ];
  for (const [label, options] of cases) {
    const before = tf.memory().numTensors;
    const { native, reference } = await both(net, params, tasks, options);
    assertSame(native, reference, label);
    if (typeof options.lr !== 'number')
      assert.ok(
        Object.values(reference.rateGrads).some((g) => maxAbs(g) > 0),
        `${label}: rate gradients`,
      );
    [native, reference].forEach(dispose);
    assert.equal(tf.memory().numTensors, before, `${label}: no tensor leaks`);
  }
  tf.dispose([...tasks.flatMap((t) => [t.supportX, t.supportY, t.queryX, t.queryY]), ...Object.values(params)]);
  tf.dispose([...Object.values(perStep), ...Object.values(perParameter)]);
});

test('native = reference with frozen moments and a prototype head (the shipped architecture), second and first order', { skip }, async () => {
  const net = conv4('maxpool', { headInit: 'prototype', normalization: 'frozen', outputs: 100 });
  const params = net.init(7);
  const tasks = [await task('Malayalam', 2), await task('Kannada', 2)];
  for (const [label, options] of [
    ['2 steps, second order, step weights', { steps: 2, lr: 0.05, stepWeights: [0.5, 0.5] }],
    ['1 step, first order', { steps: 1, lr: 0.05, firstOrder: true }],
  ] as [string, MetaGradientOptions][]) {
    const before = tf.memory().numTensors;
    const { native, reference } = await both(net, params, tasks, options);
    assert.ok(!('head.weight' in native.grads), 'θ has no head');
    assertSame(native, reference, label);
    [native, reference].forEach(dispose);
    assert.equal(tf.memory().numTensors, before, `${label}: no tensor leaks`);
  }
  tf.dispose([...tasks.flatMap((t) => [t.supportX, t.supportY, t.queryX, t.queryY]), ...Object.values(params)]);
});

test('what the kernel does not handle runs the reference: a custom loss, another network, images of another size', { skip }, async () => {
  const net = conv4('strided', { filters: 16 });
  const params = net.init(2);
  const tasks = [await task('Malayalam', 1)];
  const profileNames = async (f: () => MetaGradientResult) => {
    let result: MetaGradientResult | undefined;
    const profile = await tf.profile(() => {
      result = f();
      return [];
    });
    dispose(result!);
    return profile.kernels.map((k) => k.name);
  };
  const custom = await profileNames(() => metaGradient(net, params, tasks, { steps: 1, lr: 0.4, loss: (o, y) => tf.mul(taskLoss(o, y), 2) }));
  assert.ok(!custom.includes('MamlConv4MetaGradient') && custom.length > 100, 'custom loss: the reference');
  const mlp = createNetwork({ kind: 'mlp', inputs: 1, hidden: [8], outputs: 1 });
  const mlpParams = mlp.init(1);
  const x = tf.randomNormal([4, 1]) as tf.Tensor2D;
  const sinusoid = await profileNames(() => metaGradient(mlp, mlpParams, [{ supportX: x, supportY: x, queryX: x, queryY: x }], { steps: 1, lr: 0.01 }));
  assert.ok(!sinusoid.includes('MamlConv4MetaGradient'), 'regression: the reference');
  // query images of another size: the reference's shape error, never a native read past the images
  const small = tf.zeros([2, 14, 14, 1]) as tf.Tensor4D;
  const mismatched = [{ ...tasks[0]!, queryX: small, queryY: tf.tensor1d([0, 1], 'int32') }];
  assert.throws(() => metaGradient(net, params, mismatched, { steps: 1, lr: 0.4 }), /conv4 input/);
  tf.dispose([small, mismatched[0]!.queryY]);
  tf.dispose([x, ...Object.values(mlpParams), ...tasks.flatMap((t) => [t.supportX, t.supportY, t.queryX, t.queryY]), ...Object.values(params)]);
});
