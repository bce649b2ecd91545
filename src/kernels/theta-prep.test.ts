/**
 * θ′'s float16 coding in native code (theta-prep.ts): the difference made and added back bit for
 * bit as the codec's JavaScript does (every half; ties, subnormals, overflow, NaN); MamlFoldBatchNorm equal to the tfjs ops
 * it replaces (foldFrozenBatchNorm with and without it); bad arguments throw, never crash; no leaks.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { addFloat16, toFloat16 } from '../core/checkpoint/float16.ts';
import { createNetwork } from '../core/nets/index.ts';
import { disposeFolded, foldFrozenBatchNorm } from '../core/serving.ts';
import { FOLD_BATCH_NORM, loadKernelAddon, nativeFloat16 } from './index.ts';
import { skipReason, tf, useWasmWithFastKernels } from './test-support.ts';

before(async () => {
  if (!skipReason) await useWasmWithFastKernels();
});

test('native float16 add: every half, odd lengths, the same bits as the JavaScript table', { skip: skipReason }, () => {
  const add = nativeFloat16()!.add;
  assert.ok(add);
  for (const n of [0, 1, 7, 8, 9, 0x10000, 0x10000 + 5]) {
    const bits = Uint16Array.from({ length: n }, (_, i) => (i * 40503) & 0xffff); // every half once when n ≥ 65536
    const base = Float32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0 : Math.sin(i) * 10 ** ((i % 9) - 4)));
    const js = addFloat16(base, bits);
    const native = add(base, bits);
    assert.equal(native.length, n);
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(js[i]!)) assert.ok(Number.isNaN(native[i]!), `half ${bits[i]!.toString(16)}`);
      else assert.ok(Object.is(native[i], js[i]), `half 0x${bits[i]!.toString(16)} + ${base[i]}: ${native[i]} vs ${js[i]}`);
    }
  }
});

test('native float16 subtract: the same bits as toFloat16 of the float32 difference (ties, subnormals, overflow, NaN)', { skip: skipReason }, () => {
  const { subtract } = nativeFloat16()!;
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  const special = [
    0,
    -0,
    1,
    -1,
    65504,
    65519.99,
    65520,
    -65520,
    1e9,
    Infinity,
    -Infinity,
    NaN,
    2 ** -24,
    2 ** -25,
    3 * 2 ** -26,
    2 ** -14,
    2 ** -14 - 2 ** -25,
    1 + 2 ** -11,
    1 + 3 * 2 ** -11,
    6e-8,
    5.96e-8,
    1e-40,
  ];
  for (const n of [0, 1, 7, 8, 9, 200_003]) {
    const value = new Float32Array(n);
    const base = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      if (i < special.length) value[i] = special[i]!;
      else {
        u32[0] = (Math.imul(i, 2654435761) >>> 0) ^ (i << 7); // any float32 bit pattern
        value[i] = f32[0]!;
        base[i] = i % 5 === 0 ? 0 : Math.sin(i) * 10 ** ((i % 13) - 8);
      }
    }
    const delta = new Float32Array(n);
    for (let i = 0; i < n; i++) delta[i] = value[i]! - base[i]!;
    const js = toFloat16(delta);
    const native = subtract(value, base);
    assert.equal(native.length, n);
    for (let i = 0; i < n; i++) assert.equal(native[i], js[i], `${delta[i]}: 0x${native[i]!.toString(16)} vs 0x${js[i]!.toString(16)}`);
  }
});

test('native float16 add, subtract and fold refuse arrays of the wrong type or length', { skip: skipReason }, () => {
  const loaded = loadKernelAddon();
  assert.ok(loaded.ok);
  const { addon } = loaded;
  assert.throws(() => addon.float16_add(new Float32Array(4), new Float32Array(4) as unknown as Uint16Array, new Float32Array(4)), TypeError);
  assert.throws(() => addon.float16_add(new Float32Array(3), new Uint16Array(4), new Float32Array(4)), RangeError);
  assert.throws(() => addon.float16_add(new Float32Array(4), new Uint16Array(4), new Float32Array(2)), RangeError);
  assert.throws(() => addon.float16_sub(new Float32Array(4), new Float32Array(4), new Float32Array(4) as unknown as Uint16Array), TypeError);
  assert.throws(() => addon.float16_sub(new Float32Array(4), new Float32Array(3), new Uint16Array(4)), RangeError);
  const c = new Float32Array(4);
  assert.throws(() => addon.fold_batch_norm(new Float32Array(10), c, c, c, c, new Float32Array(10), c, 1e-5), RangeError);
  assert.throws(() => addon.fold_batch_norm(new Float32Array(8), c, c, c, new Float32Array(3), new Float32Array(8), c, 1e-5), RangeError);
  assert.throws(() => addon.fold_batch_norm(new Float32Array(8), c, c, c, c, new Float32Array(8), c, -1), TypeError);
});

test('MamlFoldBatchNorm folds as the tfjs ops do, with θ’s moments and with given ones; nothing leaks', { skip: skipReason }, () => {
  assert.ok(tf.getKernel(FOLD_BATCH_NORM, 'wasm'));
  for (const variant of ['strided', 'maxpool'] as const) {
    const net = createNetwork({ kind: 'conv4', variant, inputSize: 28, channels: 1, filters: 16, outputs: 5, headInit: 'random', normalization: 'frozen' });
    const params = net.init(7);
    // Non-trivial moments and affine parameters.
    for (let i = 0; i < 4; i++) {
      for (const name of ['bn.weight', 'bn.bias', 'bn.running_mean']) {
        const old = params[`block${i}.${name}`]!;
        params[`block${i}.${name}`] = tf.randomNormal(old.shape, name === 'bn.weight' ? 1 : 0, 0.5, 'float32', i);
        old.dispose();
      }
      const v = params[`block${i}.bn.running_var`]!;
      params[`block${i}.bn.running_var`] = tf.randomUniform(v.shape, 0.01, 3, 'float32', i);
      v.dispose();
    }
    const moments = Array.from({ length: 4 }, (_, i) => ({
      mean: tf.randomNormal([16], 0, 1, 'float32', 10 + i) as tf.Tensor1D,
      variance: tf.randomUniform([16], 0.001, 2, 'float32', 20 + i) as tf.Tensor1D,
    }));
    const before = tf.memory().numTensors;
    for (const given of [undefined, moments]) {
      const fast = foldFrozenBatchNorm(net, params, given)!;
      const kernel = tf.getKernel(FOLD_BATCH_NORM, 'wasm')!;
      tf.unregisterKernel(FOLD_BATCH_NORM, 'wasm');
      let reference;
      try {
        reference = foldFrozenBatchNorm(net, params, given)!;
      } finally {
        tf.registerKernel(kernel);
      }
      fast.blocks.forEach((b, i) => {
        for (const [a, r] of [
          [b.weight, reference.blocks[i]!.weight],
          [b.bias, reference.blocks[i]!.bias],
        ] as const) {
          assert.deepEqual(a.shape, r.shape);
          const x = a.dataSync(),
            y = r.dataSync();
          for (let j = 0; j < x.length; j++)
            assert.ok(Math.abs(x[j]! - y[j]!) <= 1e-6 * Math.max(1, Math.abs(y[j]!)), `${variant} block ${i} [${j}]: ${x[j]} vs ${y[j]}`);
        }
      });
      disposeFolded(fast);
      disposeFolded(reference);
    }
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
    tf.dispose([...Object.values(params), ...moments.flatMap((m) => [m.mean, m.variance])]);
  }
});
