import assert from 'node:assert/strict';
import { test } from 'node:test';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '../tf.ts';
import type { NetworkSpec } from '../types.ts';
import { conv4, conv4OutputSize } from './conv4.ts';
import { createNetwork, parameterShapes } from './create.ts';
import { InvalidNetworkSpecError, MissingParameterError } from './errors.ts';
import { mlp } from './mlp.ts';

await tf.setBackend('wasm');

const omniglot: NetworkSpec = { kind: 'conv4', variant: 'maxpool', inputSize: 28, channels: 1, filters: 64, outputs: 5, headInit: 'random' };

test('conv4 parameter names and tfjs layouts', () => {
  const params = conv4(omniglot as Extract<NetworkSpec, { kind: 'conv4' }>).init(0);
  const shapes = Object.fromEntries(Object.entries(params).map(([n, t]) => [n, t.shape]));
  assert.deepEqual(shapes['block0.conv.weight'], [3, 3, 1, 64]);
  assert.deepEqual(shapes['block3.conv.weight'], [3, 3, 64, 64]);
  for (let i = 0; i < 4; i++) for (const n of ['conv.bias', 'bn.weight', 'bn.bias']) assert.deepEqual(shapes[`block${i}.${n}`], [64]);
  assert.deepEqual(shapes['head.weight'], [64, 5]);
  assert.deepEqual(shapes['head.bias'], [5]);
  assert.equal(Object.keys(params).length, 18);
  const count = Object.values(params).reduce((a, t) => a + t.size, 0);
  assert.equal(count, 112_261); // the PyTorch reference network (5-way)
  tf.dispose(Object.values(params));
});

test('conv4 forward shapes: Omniglot 28×28×1×64 and MiniImagenet 84×84×3×32, both variants', () => {
  for (const [inputSize, channels, filters] of [
    [28, 1, 64],
    [84, 3, 32],
  ] as const) {
    for (const variant of ['maxpool', 'strided'] as const) {
      const net = createNetwork({ kind: 'conv4', variant, inputSize, channels, filters, outputs: 5, headInit: 'random' });
      const params = net.init(1);
      tf.tidy(() => {
        const x = tf.randomUniform([2, inputSize, inputSize, channels]);
        const logits = net.forward(params, x);
        assert.deepEqual(logits.shape, [2, 5]);
        assert.ok(Number.isFinite(logits.sum().dataSync()[0]!));
        const feats = net.features!(params, x);
        assert.deepEqual(feats.shape, [2, filters]);
        assert.ok(tf.max(tf.abs(tf.sub(net.head!(params, feats), logits))).dataSync()[0]! < 1e-6);
      });
      tf.dispose(Object.values(params));
    }
  }
  assert.equal(conv4OutputSize({ ...(omniglot as Extract<NetworkSpec, { kind: 'conv4' }>) }), 1);
  assert.equal(conv4OutputSize({ ...(omniglot as Extract<NetworkSpec, { kind: 'conv4' }>), variant: 'strided' }), 2);
});

test('init is deterministic from the seed; Xavier bounds; zero head', () => {
  const net = createNetwork(omniglot);
  const a = net.init(7);
  const b = net.init(7);
  const c = net.init(8);
  for (const name of Object.keys(a)) assert.deepEqual(a[name]!.dataSync(), b[name]!.dataSync(), name);
  assert.notDeepEqual(a['block1.conv.weight']!.dataSync(), c['block1.conv.weight']!.dataSync());
  const bound = Math.sqrt(6 / (9 * 64 + 9 * 64));
  const w = a['block1.conv.weight']!.dataSync();
  assert.ok(w.every((v) => Math.abs(v) <= bound) && Math.max(...w) > 0.9 * bound);
  const zero = createNetwork({ ...omniglot, headInit: 'zero' } as NetworkSpec).init(7);
  assert.equal(tf.sum(tf.abs(zero['head.weight']!)).dataSync()[0], 0);
  tf.dispose([...Object.values(a), ...Object.values(b), ...Object.values(c), ...Object.values(zero)]);
});

test('a head with fewer columns than outputs serves fewer ways', () => {
  const net = createNetwork({ ...omniglot, headInit: 'zero' } as NetworkSpec);
  const params = net.init(3);
  tf.tidy(() => {
    const sliced = { ...params, 'head.weight': params['head.weight']!.slice([0, 0], [64, 3]), 'head.bias': params['head.bias']!.slice([0], [3]) };
    assert.deepEqual(net.forward(sliced, tf.zeros([2, 28, 28, 1])).shape, [2, 3]);
  });
  tf.dispose(Object.values(params));
});

test('mlp 1-40-40-1: names, shapes, PyTorch-style init, forward', () => {
  const net = mlp({ kind: 'mlp', inputs: 1, hidden: [40, 40], outputs: 1 });
  const params = net.init(0);
  assert.deepEqual(Object.keys(params), ['layer0.weight', 'layer0.bias', 'layer1.weight', 'layer1.bias', 'layer2.weight', 'layer2.bias']);
  assert.deepEqual(params['layer1.weight']!.shape, [40, 40]);
  assert.deepEqual(net.headNames, ['layer2.weight', 'layer2.bias']);
  assert.ok(params['layer1.weight']!.dataSync().every((v) => Math.abs(v) <= 1 / Math.sqrt(40)));
  tf.tidy(() => assert.deepEqual(net.forward(params, tf.zeros([7, 1])).shape, [7, 1]));
  tf.dispose(Object.values(params));
});

test('typed errors: bad spec, missing parameter, wrong input shape', () => {
  assert.throws(() => createNetwork({ ...omniglot, inputSize: 8 } as NetworkSpec), InvalidNetworkSpecError);
  assert.throws(() => createNetwork({ ...omniglot, filters: 0 } as NetworkSpec), InvalidNetworkSpecError);
  const net = createNetwork(omniglot);
  const params = net.init(0);
  tf.tidy(() => {
    const { 'head.bias': _, ...missing } = params;
    assert.throws(() => net.forward(missing, tf.zeros([1, 28, 28, 1])), MissingParameterError);
    assert.throws(() => net.forward(params, tf.zeros([1, 27, 27, 1])), /expected shape/);
  });
  tf.dispose(Object.values(params));
});

test('conv4 forward is the same with and without a gradient tape (fused inference path)', () => {
  for (const variant of ['maxpool', 'strided'] as const) {
    const net = createNetwork({ kind: 'conv4', variant, inputSize: 28, channels: 1, filters: 8, outputs: 5, headInit: 'random' });
    const params = net.init(5);
    params['block1.bn.weight']!.dispose();
    params['block1.bn.weight'] = tf.tensor1d([1, -1, 0.5, -0.5, 2, 1, 1, -2]); // negative scales take the min-pool path
    tf.tidy(() => {
      const x = tf.randomUniform([6, 28, 28, 1], 0, 1, 'float32', 3);
      const untaped = net.forward(params, x);
      let taped: tf.Tensor = tf.scalar(0);
      tf.engine().gradients(() => {
        taped = tf.keep(net.forward(params, x));
        return tf.sum(taped);
      }, [params['head.bias']!]);
      const diff = tf.max(tf.abs(tf.sub(untaped, taped))).dataSync()[0]!;
      taped.dispose();
      assert.ok(diff < 1e-4, `${variant}: max |Δ| ${diff}`);
    });
    tf.dispose(Object.values(params));
  }
});

test('conv4 moments: a batch normalised with its own moments is the plain forward; with fixed moments each row stands alone', () => {
  for (const variant of ['maxpool', 'strided'] as const) {
    const net = conv4({ ...(omniglot as Extract<NetworkSpec, { kind: 'conv4' }>), variant, filters: 16 });
    const params = net.init(3);
    const support = tf.randomUniform([5, 28, 28, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
    const queries = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const moments = net.moments!(params, support);
    assert.equal(moments.length, 4);
    assert.deepEqual(moments[0]!.mean.shape, [16]);
    const same = tf.tidy(() => tf.max(tf.abs(tf.sub(net.forward(params, support, { moments }), net.forward(params, support)))).dataSync()[0]!);
    assert.ok(same < 1e-4, `${variant}: own moments reproduce batch statistics (max diff ${same})`);
    const together = tf.tidy(() => net.forward(params, queries, { moments }).arraySync());
    for (let i = 0; i < 4; i++) {
      const alone = tf.tidy(() => net.forward(params, tf.slice(queries, [i, 0, 0, 0], [1, 28, 28, 1]), { moments }).arraySync()[0]!);
      alone.forEach((v, j) => assert.ok(Math.abs(v - together[i]![j]!) < 1e-4, `${variant}: query ${i} alone scores as in the batch`));
    }
    const transductive = tf.tidy(() => net.forward(params, tf.slice(queries, [0, 0, 0, 0], [1, 28, 28, 1])).arraySync()[0]!);
    assert.ok(
      transductive.some((v, j) => Math.abs(v - together[0]![j]!) > 1e-3),
      `${variant}: batch statistics of one image differ`,
    );
    tf.dispose(moments.flatMap((m) => [m.mean, m.variance]));
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
    tf.dispose([support, queries, ...Object.values(params)]);
  }
});

test('parameterShapes declares exactly what init makes, for every kind and option, without allocating', () => {
  const specs: NetworkSpec[] = [
    omniglot,
    { ...omniglot, variant: 'strided', filters: 16, headInit: 'zero' } as NetworkSpec,
    { ...omniglot, normalization: 'frozen', headInit: 'prototype' } as NetworkSpec,
    { kind: 'conv4', variant: 'maxpool', inputSize: 84, channels: 3, filters: 32, outputs: 20, headInit: 'random' },
    { kind: 'mlp', inputs: 1, hidden: [40, 40], outputs: 1 } as NetworkSpec,
  ];
  for (const spec of specs) {
    const before = tf.memory().numTensors;
    const declared = parameterShapes(spec);
    assert.equal(tf.memory().numTensors, before, 'no tensor allocated');
    const made = tf.tidy(() => Object.fromEntries(Object.entries(createNetwork(spec).init(0)).map(([name, t]) => [name, t.shape])));
    assert.deepEqual(declared, made, JSON.stringify(spec));
  }
  assert.throws(() => parameterShapes({ ...omniglot, filters: 0 } as NetworkSpec), InvalidNetworkSpecError);
});
