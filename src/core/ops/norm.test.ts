import assert from 'node:assert/strict';
import { test } from 'node:test';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '../tf.ts';
import { batchNorm } from './batch-norm.ts';
import { batchNormReluMaxPool } from './batch-norm-relu-pool.ts';
import { broadcastRows, channelMean } from './channel-sum.ts';
import { assertClose, assertDirectional, eachBackend, onCpu, rnd } from './testing.ts';

test('batchNorm: equals tf.batchNorm with batch moments; gradients match cpu built-ins; second order exact', async () => {
  const inputs = () => [tf.add(tf.mul(rnd([3, 4, 4, 5], 1), 2), 0.5), tf.add(rnd([5], 2), 1), rnd([5], 3)] as const;
  const builtin = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    return tf.batchNorm(x, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D, 1e-5);
  };
  const reference = await onCpu(() => {
    const [x, g, b] = inputs();
    const dy = rnd([3, 4, 4, 5], 4);
    return [builtin(x, g, b), ...tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(builtin(a, c, d), dy)))([x, g, b])];
  });
  await eachBackend((backend) => {
    const [x, g, b] = inputs();
    const dy = rnd([3, 4, 4, 5], 4);
    const ours = (a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => batchNorm(a, c as tf.Tensor1D, d as tf.Tensor1D);
    [ours(x, g, b), ...tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(ours(a, c, d), dy)))([x, g, b])].forEach((t, i) =>
      assertClose(t, reference[i]!, 1e-4, `${backend} #${i}`),
    );
    const v = rnd(x.shape, 5);
    const second = (a: tf.Tensor) => tf.sum(tf.mul(tf.grad((z: tf.Tensor) => tf.sum(tf.mul(tf.square(ours(z, g, b)), dy)))(a), v)) as tf.Scalar;
    assertDirectional(second, x, tf.div(rnd(x.shape, 6), 15), 1e-2, `${backend} second order`);
  });
});

test('channelMean and broadcastRows equal tfjs built-ins, with gradients', async () => {
  await eachBackend((backend) => {
    const rows = rnd([37, 6], 1) as tf.Tensor2D;
    assertClose(channelMean(rows), tf.mean(rows, 0), 1e-6, `${backend} mean`);
    const dy = rnd([6], 2);
    assertClose(
      tf.grad((r: tf.Tensor) => tf.sum(tf.mul(channelMean(r as tf.Tensor2D), dy)))(rows),
      tf.div(tf.mul(tf.ones([37, 6]), dy), 37),
      1e-6,
      `${backend} mean grad`,
    );
    const v = rnd([6], 3) as tf.Tensor1D;
    assertClose(broadcastRows(v, 4), tf.tile(tf.reshape(v, [1, 6]), [4, 1]), 0, `${backend} broadcast`);
  });
});

test('batchNormReluMaxPool: fused inference path equals the differentiable composite (any sign of γ)', async () => {
  await eachBackend((backend) => {
    const x = tf.add(tf.mul(rnd([3, 7, 7, 4], 1), 3), 1) as tf.Tensor4D;
    const beta = rnd([4], 3) as tf.Tensor1D;
    for (const gamma of [tf.tensor1d([1, 0.5, 2, 1.5]), tf.tensor1d([1, -0.5, 2, -1.5])]) {
      const composite = tf.relu(maxPool2x2Of(batchNorm(x, gamma, beta) as tf.Tensor4D));
      assertClose(batchNormReluMaxPool(x, gamma, beta), composite, 1e-5, `${backend} γ ${gamma.dataSync()}`);
    }
  });
});

function maxPool2x2Of(x: tf.Tensor4D): tf.Tensor4D {
  return tf.maxPool(x, 2, 2, 'valid');
}
