import * as tf from '../tf.ts';
import { BATCH_NORM_EPSILON } from './batch-norm.ts';
import { channelMeanValue } from './channel-sum.ts';
import { assertShape } from './errors.ts';

/** A batch norm layer's per-channel statistics: mean and biased variance over N,H,W. */
export interface Moments {
  readonly mean: tf.Tensor1D;
  readonly variance: tf.Tensor1D;
}

/** The moments batchNorm normalises x with (rows = all but the last axis); forward only. */
export function batchMoments(x: tf.Tensor): Moments {
  return tf.tidy(() => {
    const rows = tf.reshape(x, [-1, x.shape[x.rank - 1]!]) as tf.Tensor2D;
    const mean = channelMeanValue(rows);
    const variance = channelMeanValue(tf.square(tf.sub(rows, mean)) as tf.Tensor2D);
    return { mean, variance };
  });
}

/**
 * (x − μ)·γ/√(σ² + ε) + β with given moments instead of x's own: each example is normalised
 * independently of the others in its batch (inference with statistics fixed elsewhere, e.g. on a
 * task's support set). With x's own moments it equals batchNorm(x, γ, β).
 */
export function normalizeWithMoments(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, moments: Moments, epsilon = BATCH_NORM_EPSILON): tf.Tensor {
  const channels = x.shape[x.rank - 1]!;
  for (const [name, t] of [
    ['gamma', gamma],
    ['beta', beta],
    ['mean', moments.mean],
    ['variance', moments.variance],
  ] as const)
    assertShape(`normalizeWithMoments ${name}`, t.shape, [channels]);
  return tf.tidy(() => {
    const scale = tf.mul(tf.rsqrt(tf.add(moments.variance, epsilon)), gamma);
    return tf.add(tf.mul(tf.sub(x, moments.mean), scale), beta);
  });
}
