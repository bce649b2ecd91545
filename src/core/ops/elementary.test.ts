import assert from 'node:assert/strict';
import { test } from 'node:test';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '../tf.ts';
import { addChannelBias } from './bias.ts';
import { exp } from './exp.ts';
import { constantOf, stopGradient } from './stop-gradient.ts';
import { assertClose, eachBackend, rnd, scalarOf } from './testing.ts';

test('exp: exact second derivative (tfjs tf.exp drops it: pitfall pinned)', async () => {
  await eachBackend((backend) => {
    const x = rnd([6], 1);
    const v = rnd([6], 2);
    // f(z) = Σ e(z) + Σ z²/2, so f''·v = e(x)·v + v (the z² term keeps x linked to the gradient for tf.exp)
    const secondAlong = (e: (t: tf.Tensor) => tf.Tensor) =>
      tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.grad((z: tf.Tensor) => tf.add(tf.sum(e(z)), tf.mul(tf.sum(tf.square(z)), 0.5)))(a), v)))(x);
    const expected = tf.add(tf.mul(tf.exp(x), v), v);
    assertClose(secondAlong(exp), expected, 1e-6, `${backend} exp''`);
    const builtinError = scalarOf(tf.max(tf.abs(tf.sub(secondAlong(tf.exp), expected))));
    assert.ok(builtinError > 1e-2, `${backend}: tf.exp's second derivative is now right; revisit the notes`);
  });
});

test('stopGradient and constantOf have zero gradient', async () => {
  await eachBackend(() => {
    const x = rnd([4], 1);
    assert.deepEqual(
      Array.from(
        tf
          .grad((a: tf.Tensor) => tf.sum(tf.mul(stopGradient(a), a)))(x)
          .dataSync(),
      ),
      Array.from(x.dataSync()),
    );
    assert.equal(scalarOf(tf.sum(tf.abs(tf.grad((a: tf.Tensor) => tf.sum(constantOf((t) => tf.square(t), a)))(x)))), 0);
  });
});

test('addChannelBias: value and gradients equal tf.add', async () => {
  await eachBackend((backend) => {
    const x = rnd([2, 3, 3, 4], 1);
    const b = rnd([4], 2) as tf.Tensor1D;
    const dy = rnd([2, 3, 3, 4], 3);
    assertClose(addChannelBias(x, b), tf.add(x, b), 0, backend);
    const ours = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(addChannelBias(p, q as tf.Tensor1D), dy)))([x, b]);
    const theirs = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.add(p, q), dy)))([x, b]);
    ours.forEach((g, i) => assertClose(g, theirs[i]!, 1e-6, `${backend} grad ${i}`));
  });
});
