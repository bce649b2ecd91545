import assert from 'node:assert/strict';
import { test } from 'node:test';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from './tf.ts';
import { adapt, innerLoop } from './adapt.ts';
import { valueAndGradients } from './meta/gradients.ts';
import { metaGradient } from './meta/meta-gradient.ts';
import { conv4, conv4BufferNames } from './nets/conv4.ts';
import type { NetworkSpec, Params } from './types.ts';
import { Rng } from './tasks/rng.ts';
import { augmentImage, LIGHT_AUGMENTATION } from './tasks/augment.ts';

await tf.setBackend('wasm');

const spec = {
  kind: 'conv4',
  variant: 'strided',
  inputSize: 12,
  channels: 1,
  filters: 6,
  outputs: 50,
  headInit: 'prototype',
  normalization: 'frozen',
} as Extract<NetworkSpec, { kind: 'conv4' }>;
const net = conv4(spec);

function task(classes: number, shots: number, seed: number) {
  const x = tf.randomNormal([classes * shots, 12, 12, 1], 0, 1, 'float32', seed) as tf.Tensor4D;
  const y = tf.tensor1d(
    Array.from({ length: classes * shots }, (_, i) => i % classes),
    'int32',
  );
  return { x, y };
}

function withMoments(params: Params): Params {
  // Non-trivial frozen moments, so that a forward that ignored them would differ.
  const out = { ...params };
  for (const name of conv4BufferNames()) out[name] = tf.fill([6], name.endsWith('mean') ? 0.02 : 1.3);
  return out;
}

test('frozen normalisation: buffers in θ, each example scored on its own (batch = per image)', () => {
  const params = withMoments(net.init(3));
  assert.deepEqual(net.buffers, conv4BufferNames());
  assert.ok(!('head.weight' in params), 'a prototype-headed θ stores no head');
  const { x } = task(4, 2, 1);
  tf.tidy(() => {
    const all = net.features(params, x);
    const one = net.features(params, tf.slice(x, [3, 0, 0, 0], [1, 12, 12, 1]) as tf.Tensor4D);
    assert.ok(tf.max(tf.abs(tf.sub(tf.slice(all, [3, 0], [1, 6]), one))).dataSync()[0]! < 1e-5);
  });
  tf.dispose([x, ...Object.values(params)]);
});

test('prototype head: 0 steps is the nearest-centroid classifier, any number of classes', () => {
  const params = withMoments(net.init(4));
  for (const classes of [2, 7, 50]) {
    const { x, y } = task(classes, 2, classes);
    const adapted = adapt(net, params, { x, y }, { steps: 0, lr: 0.1 });
    tf.tidy(() => {
      assert.deepEqual(adapted.params['head.weight']!.shape, [6, classes]);
      const feats = net.features(params, x);
      const means = tf.div(tf.matMul(tf.oneHot(y, classes), feats, true, false), 2);
      const distances = tf.sum(tf.square(tf.sub(tf.expandDims(feats, 1), tf.expandDims(means, 0))), 2); // [S, N]
      const logits = net.forward(adapted.params, x);
      // logits = −‖f − μ‖² + ‖f‖²: the same ranking as the negative distance
      const expected = tf.add(tf.neg(distances), tf.sum(tf.square(feats), 1, true));
      assert.ok(tf.max(tf.abs(tf.sub(logits, expected))).dataSync()[0]! < 1e-3);
    });
    tf.dispose([x, y, ...Object.values(adapted.params)]);
  }
  tf.dispose(Object.values(params));
});

test('inner steps adapt θ and the head but never the buffers; no tensors left behind', () => {
  const params = withMoments(net.init(5));
  const { x, y } = task(5, 2, 9);
  const before = tf.memory().numTensors;
  const adapted = adapt(net, params, { x, y }, { steps: 2, lr: 0.05 });
  for (const name of conv4BufferNames()) assert.deepEqual(adapted.params[name]!.dataSync(), params[name]!.dataSync(), name);
  assert.notDeepEqual(adapted.params['block0.conv.weight']!.dataSync(), params['block0.conv.weight']!.dataSync());
  assert.ok(adapted.params[conv4BufferNames()[0]!] !== params[conv4BufferNames()[0]!], 'θ′ owns copies');
  tf.dispose(Object.values(adapted.params));
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([x, y, ...Object.values(params)]);
});

test('meta-gradient flows through the prototype head into the body (0 and 1 steps), none to buffers', () => {
  const params = withMoments(net.init(6));
  const a = task(3, 2, 11);
  const b = task(3, 2, 12);
  const tasks = [{ supportX: a.x, supportY: a.y, queryX: b.x, queryY: b.y }];
  for (const steps of [0, 1]) {
    const before = tf.memory().numTensors;
    const result = metaGradient(net, params, tasks, { steps, lr: 0.1, firstOrder: steps === 1 });
    assert.ok(!conv4BufferNames().some((n) => n in result.grads));
    assert.ok(!('head.weight' in result.grads));
    const norm = tf.tidy(() => tf.sum(tf.abs(result.grads['block0.conv.weight']!)).dataSync()[0]!);
    assert.ok(norm > 0 && Number.isFinite(norm), `steps ${steps}: body gradient ${norm}`);
    tf.dispose(Object.values(result.grads));
    assert.equal(tf.memory().numTensors, before);
  }
  // innerLoop returns θ ∪ head adapted
  const inner = tf.tidy(() => Object.keys(innerLoop(net, params, { x: a.x, y: a.y }, { steps: 1, lr: 0.1 }).params).sort());
  assert.ok(inner.includes('head.weight') && inner.includes('block0.bn.running_mean'));
  tf.dispose([a.x, a.y, b.x, b.y, ...Object.values(params)]);
});

test('inside a meta-gradient tape the inner loop is the one /adapt runs: the per-task head is a leaf of the inner gradient', () => {
  // tfjs's nested gradients walk the whole tape: without fresh leaves the body's inner gradient
  // also took the head's own dependence on θ (here about twice the step /adapt takes).
  const params = withMoments(net.init(9));
  const { x, y } = task(3, 1, 31);
  const served = adapt(net, params, { x, y }, { steps: 1, lr: 0.3 });
  const names = Object.keys(params).filter((n) => !conv4BufferNames().includes(n));
  const differences: number[] = [];
  const { value, grads } = valueAndGradients(
    () => {
      const inner = innerLoop(net, params, { x, y }, { steps: 1, lr: 0.3 });
      for (const [name, t] of Object.entries(served.params)) differences.push(tf.max(tf.abs(tf.sub(inner.params[name]!, t))).dataSync()[0]!);
      return tf.sum(tf.square(inner.params['block0.conv.weight']!)) as tf.Scalar;
    },
    names.map((n) => params[n]!),
  );
  assert.ok(Math.max(...differences) < 1e-6, `θ′ in the tape vs /adapt: ${Math.max(...differences)}`);
  const moved = tf.tidy(() => tf.max(tf.abs(tf.sub(served.params['block0.conv.weight']!, params['block0.conv.weight']!))).dataSync()[0]!);
  assert.ok(moved > 1e-5, `the step moves the body (${moved})`);
  tf.dispose([value, ...grads, x, y, ...Object.values(served.params), ...Object.values(params)]);
});

test('augmentation: deterministic from the seed, identity at zero ranges, background kept', () => {
  const size = 8;
  const src = new Float32Array(size * size).map((_, i) => (i % 9 === 0 ? 1 : 0));
  const out = (ranges = LIGHT_AUGMENTATION, seed = 1) => {
    const o = new Float32Array(size * size);
    augmentImage(src, size, 1, ranges, new Rng(seed), o, 0);
    return o;
  };
  assert.deepEqual(out(), out());
  assert.notDeepEqual(out(), out(LIGHT_AUGMENTATION, 2));
  const identity = out({ degrees: 0, scale: 0, shift: 0 });
  identity.forEach((v, i) => assert.ok(Math.abs(v - src[i]!) < 1e-6));
  assert.ok(out().every((v) => v >= 0 && v <= 1));
});

test('scaleFeatures multiplies the body output exactly (a temperature folded into θ), prototype logits by its square', () => {
  const params = withMoments(net.init(8));
  const { x, y } = task(3, 2, 21);
  const scaled = net.scaleFeatures!(params, 0.25);
  tf.tidy(() => {
    const a = net.features(params, x);
    const b = net.features(scaled, x);
    assert.ok(tf.max(tf.abs(tf.sub(tf.mul(a, 0.25), b))).dataSync()[0]! < 1e-5);
    const la = net.forward({ ...params, ...net.taskHead!(params, x, y, 3) }, x);
    const lb = net.forward({ ...scaled, ...net.taskHead!(scaled, x, y, 3) }, x);
    assert.ok(tf.max(tf.abs(tf.sub(tf.mul(la, 0.0625), lb))).dataSync()[0]! < 1e-4);
  });
  tf.dispose([scaled['block3.bn.weight']!, scaled['block3.bn.bias']!, x, y, ...Object.values(params)]);
  assert.throws(() => net.scaleFeatures!(params, 0));
});
