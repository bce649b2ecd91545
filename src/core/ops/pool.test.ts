import assert from 'node:assert/strict';
import { test } from 'node:test';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '../tf.ts';
import { maxPool2x2, reluMaxPool2x2 } from './max-pool.ts';
import { assertClose, assertDirectional, eachBackend, onCpu, rnd, shuffled } from './testing.ts';
import { sumPool2x2, upsample2x } from './upsample.ts';

test('maxPool2x2: floor semantics, gradient equals tfjs MaxPoolGrad on cpu, second order exact', async () => {
  // distinct values 0.01 apart in a fixed shuffled order, so no window is near a tie
  const values = Float32Array.from(shuffled(2 * 7 * 7 * 3, 12345), (i) => i * 0.01 - 1.5);
  const x0 = () => tf.tensor4d(values, [2, 7, 7, 3]);
  const reference = await onCpu(() => {
    const x = x0();
    const dy = rnd([2, 3, 3, 3], 1);
    return [tf.maxPool(x, 2, 2, 'valid'), tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), dy)))(x)];
  });
  await eachBackend((backend) => {
    const x = x0();
    const dy = rnd([2, 3, 3, 3], 1);
    const y = maxPool2x2(x);
    assert.deepEqual(y.shape, [2, 3, 3, 3]);
    assertClose(y, reference[0]!, 0, `${backend} forward`);
    assertClose(tf.grad((a: tf.Tensor) => tf.sum(tf.mul(maxPool2x2(a as tf.Tensor4D), dy)))(x), reference[1]!, 0, `${backend} gradient`);
    const c = rnd([2, 3, 3, 3], 2);
    const g = (a: tf.Tensor) =>
      tf.sum(
        tf.mul(
          tf.grad((z: tf.Tensor) => tf.sum(tf.mul(tf.square(maxPool2x2(z as tf.Tensor4D)), c)))(a),
          dy.reshape([2, 3, 3, 3]).pad([
            [0, 0],
            [0, 4],
            [0, 4],
            [0, 0],
          ]),
        ),
      ) as tf.Scalar;
    // g is linear in x between kinks; ε·|u| ≤ 0.004 stays below the 0.01 gaps
    assertDirectional(g, x, tf.div(rnd(x.shape, 3), 20), 2e-2, `${backend} second order`);
  });
});

test('maxPool2x2: tied maxima share the gradient', async () => {
  await eachBackend((backend) => {
    const x = tf.tensor4d([1, 1, 0, -1], [1, 2, 2, 1]);
    const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(maxPool2x2(a as tf.Tensor4D), 4)))(x);
    assert.deepEqual(Array.from(dx.dataSync()), [2, 2, 0, 0], backend);
  });
});

test('reluMaxPool2x2 equals relu∘maxPool (cpu built-ins), second order exact', async () => {
  const values = Float32Array.from(shuffled(2 * 7 * 7 * 3, 777), (i) => i * 0.01 - 1.5);
  const x0 = () => tf.tensor4d(values, [2, 7, 7, 3]);
  const reference = await onCpu(() => {
    const dy = rnd([2, 3, 3, 3], 1);
    const f = (a: tf.Tensor) => tf.relu(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'));
    return [f(x0()), tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), dy)))(x0())];
  });
  await eachBackend((backend) => {
    const x = x0();
    const dy = rnd([2, 3, 3, 3], 1);
    assertClose(reluMaxPool2x2(x), reference[0]!, 0, `${backend} forward`);
    assertClose(tf.grad((a: tf.Tensor) => tf.sum(tf.mul(reluMaxPool2x2(a as tf.Tensor4D), dy)))(x), reference[1]!, 0, `${backend} gradient`);
    const v = rnd(x.shape, 2);
    const g = (a: tf.Tensor) => tf.sum(tf.mul(tf.grad((z: tf.Tensor) => tf.sum(tf.mul(tf.square(reluMaxPool2x2(z as tf.Tensor4D)), dy)))(a), v)) as tf.Scalar;
    assertDirectional(g, x, tf.div(rnd(x.shape, 3), 20), 2e-2, `${backend} second order`);
  });
});

test('upsample2x and sumPool2x2 are adjoint and differentiate to any order', async () => {
  await eachBackend((backend) => {
    const a = rnd([2, 3, 4, 5], 1);
    const b = rnd([2, 6, 8, 5], 2);
    const lhs = tf.sum(tf.mul(upsample2x(a as tf.Tensor4D), b)).dataSync()[0]!;
    const rhs = tf.sum(tf.mul(a, sumPool2x2(b as tf.Tensor4D))).dataSync()[0]!;
    assert.ok(Math.abs(lhs - rhs) < 1e-4 * Math.abs(lhs), `${backend}: ${lhs} vs ${rhs}`);
    assertClose(tf.grad((t: tf.Tensor) => tf.sum(tf.mul(upsample2x(t as tf.Tensor4D), b)))(a), sumPool2x2(b as tf.Tensor4D), 1e-6, `${backend} grad`);
    // f(a) = Σ c·up(a)³ : third derivative along u, v, w is 6 Σ c·up(u)·up(v)·up(w)
    const c = rnd(b.shape, 3);
    const [u, v, w] = [rnd(a.shape, 4), rnd(a.shape, 5), rnd(a.shape, 6)];
    const f = (t: tf.Tensor) => tf.sum(tf.mul(c, tf.pow(upsample2x(t as tf.Tensor4D), 3)));
    const fu = (t: tf.Tensor) => tf.sum(tf.mul(tf.grad(f)(t), u));
    const fuv = (t: tf.Tensor) => tf.sum(tf.mul(tf.grad(fu)(t), v));
    const third = tf.sum(tf.mul(tf.grad(fuv)(a), w)).dataSync()[0]!;
    const up = (t: tf.Tensor) => upsample2x(t as tf.Tensor4D);
    const exact = tf.sum(tf.mul(tf.mul(tf.mul(c, up(u)), up(v)), up(w))).dataSync()[0]! * 6;
    assert.ok(Math.abs(third - exact) < 1e-3 * Math.abs(exact), `${backend}: third derivative ${third} vs ${exact}`);
  });
});
