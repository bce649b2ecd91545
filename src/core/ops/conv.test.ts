import assert from 'node:assert/strict';
import { test } from 'node:test';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '../tf.ts';
import { conv2d } from './conv2d.ts';
import { convGeneral } from './conv-general.ts';
import { ShapeMismatchError, UnsupportedConvGeometryError } from './errors.ts';
import { assertClose, assertDirectional, eachBackend, onCpu, rnd } from './testing.ts';

const CONV_CASES = [
  { stride: 1, size: 7 },
  { stride: 1, size: 8 },
  { stride: 2, size: 7 },
  { stride: 2, size: 8 },
] as const;

test('conv2d: forward and gradients equal tfjs built-ins (cpu reference), every stride and parity', async () => {
  for (const { stride, size } of CONV_CASES) {
    const inputs = () => [rnd([2, size, size, 3], 1), rnd([3, 3, 3, 4], 2), rnd([4], 3)] as const;
    const dyShape = [2, Math.floor((size - 1) / stride) + 1, Math.floor((size - 1) / stride) + 1, 4];
    const reference = await onCpu(() => {
      const [x, w, b] = inputs();
      const dy = rnd(dyShape, 4);
      const f = (a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(tf.add(tf.conv2d(a as tf.Tensor4D, c as tf.Tensor4D, stride, 1), d), dy));
      return [tf.add(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, 1), b), ...tf.grads(f)([x, w, b])];
    });
    await eachBackend((backend) => {
      const [x, w, b] = inputs();
      const dy = rnd(dyShape, 4);
      const f = (a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(conv2d(a as tf.Tensor4D, c as tf.Tensor4D, d as tf.Tensor1D, stride), dy));
      const out = conv2d(x as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D, stride);
      assert.deepEqual(out.shape, dyShape);
      [out, ...tf.grads(f)([x, w, b])].forEach((t, i) => assertClose(t, reference[i]!, 1e-5, `${backend} stride ${stride} size ${size} #${i}`));
    });
  }
});

test('conv2d: second and third derivatives equal finite differences on wasm and cpu', async () => {
  for (const { stride, size } of CONV_CASES) {
    await eachBackend((backend) => {
      const x = rnd([2, size, size, 3], 5);
      const v = rnd(x.shape, 6);
      const b = tf.zeros([4]) as tf.Tensor1D;
      // g(w) = ⟨∇ₓ Σ conv(x, w)², v⟩ is quadratic in w; ⟨∇g, u₁⟩ is linear in w: both checks are exact in float64.
      const g = (w: tf.Tensor) =>
        tf.sum(tf.mul(tf.grad((xx: tf.Tensor) => tf.sum(tf.square(conv2d(xx as tf.Tensor4D, w as tf.Tensor4D, b, stride))))(x), v)) as tf.Scalar;
      const w = rnd([3, 3, 3, 4], 7);
      assertDirectional(g, w, tf.div(rnd(w.shape, 8), 6), 1e-2, `${backend} 2nd order stride ${stride} size ${size}`);
      const u1 = rnd(w.shape, 9);
      const h = (ww: tf.Tensor) => tf.sum(tf.mul(tf.grad(g)(ww), u1)) as tf.Scalar;
      assertDirectional(h, w, tf.div(rnd(w.shape, 10), 6), 1e-1, `${backend} 3rd order stride ${stride} size ${size}`);
    });
  }
});

test('convGeneral rejects stride and dilation both above 1', () => {
  const x = tf.zeros([1, 5, 5, 1]) as tf.Tensor4D;
  const w = tf.zeros([3, 3, 1, 1]) as tf.Tensor4D;
  const axis = { stride: 2, dilation: 2, padBefore: 1, padAfter: 1 };
  assert.throws(() => convGeneral(x, w, { h: axis, w: axis }), UnsupportedConvGeometryError);
  assert.throws(() => conv2d(x, tf.zeros([3, 3, 2, 1]) as tf.Tensor4D, tf.zeros([1]) as tf.Tensor1D), ShapeMismatchError);
  tf.dispose([x, w]);
});
