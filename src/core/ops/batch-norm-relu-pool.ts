import * as tf from '../tf.ts';
import { batchNorm, BATCH_NORM_EPSILON } from './batch-norm.ts';
import { channelMeanValue } from './channel-sum.ts';
import { gradientIsTaped } from './custom-op.ts';
import { reluMaxPool2x2 } from './max-pool.ts';

/**
 * relu(maxPool2x2(batchNorm(x, γ, β))) — one Conv4 block after its convolution. While a tape
 * records it is exactly that composite (differentiable to any order). Without a tape (inference:
 * predict, adapt's forward-only passes) it runs a fused forward that touches the full-resolution
 * activations in only a few passes: for a per-channel scale s = γ/√(σ²+ε) > 0 the affine map
 * commutes with the max (maxPool(x·s + t) = maxPool(x)·s + t; for s < 0 the min is taken), so the
 * normalisation runs on the 4× smaller pooled tensor. σ² = E[x²] − μ² (clamped at 0).
 */
export function batchNormReluMaxPool(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon = BATCH_NORM_EPSILON): tf.Tensor4D {
  if (gradientIsTaped()) return reluMaxPool2x2(batchNorm(x, gamma, beta, epsilon) as tf.Tensor4D);
  return tf.tidy(() => {
    const channels = x.shape[3];
    const rows = tf.reshape(x, [-1, channels]) as tf.Tensor2D;
    const mean = channelMeanValue(rows);
    const variance = tf.relu(tf.sub(channelMeanValue(tf.square(rows) as tf.Tensor2D), tf.square(mean)));
    const scale = tf.mul(tf.rsqrt(tf.add(variance, epsilon)), gamma);
    const shift = tf.sub(beta, tf.mul(mean, scale));
    const highest = tf.maxPool(x, 2, 2, 'valid');
    const allPositive = scale.dataSync().every((s) => s > 0);
    const pooled = allPositive ? highest : tf.where(tf.greater(scale, 0), highest, tf.neg(tf.maxPool(tf.neg(x) as tf.Tensor4D, 2, 2, 'valid')));
    return tf.relu(tf.add(tf.mul(pooled, scale), shift)) as tf.Tensor4D;
  });
}
