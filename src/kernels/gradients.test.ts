/**
 * Gradients through the fast kernels: the core's conv2d (whose gradients are forward
 * convolutions, so every order runs on Conv2D) and matMul (whose gradients are transposed
 * BatchMatMuls), first and second order, against the stock wasm kernels and the cpu backend.
 */
import { before, test } from 'node:test';
import { conv2d } from '../core/ops/conv2d.ts';
import { assertMatches, compareKernels, skipReason, tf, useWasmWithFastKernels } from './test-support.ts';

before(async () => {
  if (!skipReason) await useWasmWithFastKernels();
});

const random = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);

for (const [batch, size, cin, cout, stride] of [
  [3, 8, 4, 5, 1],
  [2, 9, 3, 6, 2],
  [5, 14, 64, 64, 1],
  [5, 14, 16, 16, 2],
] as const) {
  const label = `${batch}×${size}×${size}×${cin} → ${cout}, stride ${stride}`;
  const inputs = () => [random([batch, size, size, cin], 1), random([3, 3, cin, cout], 2), random([cout], 3)] as const;
  const loss = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(conv2d(x as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D, stride)));

  test(`conv2d gradients (dx, dw, db), first order: ${label}`, { skip: skipReason }, async () => {
    const op = () => tf.grads(loss)([...inputs()]);
    assertMatches(await compareKernels(op), `conv grads ${label}`);
  });

  test(`conv2d second order (gradient of |dL/dw|² with respect to w and x): ${label}`, { skip: skipReason }, async () => {
    const op = () => {
      const [x, w, b] = inputs();
      const gradNormSq = (xv: tf.Tensor, wv: tf.Tensor) => tf.sum(tf.square(tf.grad((w2: tf.Tensor) => loss(xv, w2, b))(wv)));
      return tf.grads(gradNormSq)([x, w]);
    };
    assertMatches(await compareKernels(op), `conv second order ${label}`);
  });
}

test('matMul gradients (transposed products), first and second order', { skip: skipReason }, async () => {
  const a0 = () => random([37, 29], 4),
    b0 = () => random([29, 45], 5);
  const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.matMul(a, b)));
  assertMatches(await compareKernels(() => tf.grads(loss)([a0(), b0()])), 'matMul grads');
  const second = () => {
    const b = b0();
    return tf.grad((a: tf.Tensor) => tf.sum(tf.square(tf.grad((bv: tf.Tensor) => loss(a, bv))(b))))(a0());
  };
  assertMatches(await compareKernels(second), 'matMul second order');
});
