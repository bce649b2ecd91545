import * as tf from '../tf.ts';
import { channelMean, channelMeanValue } from './channel-sum.ts';
import { customOp, gradientIsTaped } from './custom-op.ts';
import { assertShape } from './errors.ts';

export const BATCH_NORM_EPSILON = 1e-5;

/**
 * Batch normalisation with the batch's own statistics (moments over N,H,W; biased variance as
 * PyTorch's training mode), learnable scale `gamma` and shift `beta`, no running statistics
 * (MAML uses batch statistics at test time too). Hand-written with an analytic gradient
 *   x̂ = (x − μ)·r, r = 1/√(σ² + ε):  dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γr·(dy − dβ/M − x̂·dγ/M)
 * built from differentiable ops on the saved inputs, so it is exact to any order; it avoids the
 * built-in op's Tile-heavy gradient and tfjs-wasm's slow axis-0 reductions.
 *
 * x [N,H,W,C] (or [M,C]), gamma [C], beta [C].
 */
export function batchNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon = BATCH_NORM_EPSILON): tf.Tensor {
  const channels = x.shape[x.rank - 1]!;
  assertShape('batchNorm gamma', gamma.shape, [channels]);
  assertShape('batchNorm beta', beta.shape, [channels]);
  const op = customOp<tf.Tensor>(([input, scale, shift], save) => {
    return {
      value: normalizedValue(input!, scale as tf.Tensor1D, shift as tf.Tensor1D, epsilon, save),
      gradFunc: (dy, saved) => {
        const [xs, gs] = saved as [tf.Tensor, tf.Tensor1D];
        if (!gradientIsTaped() && nativeKernel(BATCH_NORM_GRAD)) {
          // first order: the native kernel from the saved x̂ and r, one call instead of ~12
          const [xhat, r] = [saved[2] as tf.Tensor2D, saved[3] as tf.Tensor1D];
          const [dx, dGamma, dBeta] = tf
            .engine()
            .runKernel(BATCH_NORM_GRAD, { dy: tf.reshape(dy, xhat.shape), xhat, gamma: gs, rstd: r }, {}) as unknown as tf.Tensor[];
          return [tf.reshape(dx!, xs.shape), dGamma!, dBeta!];
        }
        // saved x̂ and r are unlinked copies: fine unless this gradient is differentiated again
        const { normalized: xhat, inverseStd: r } = gradientIsTaped()
          ? normalize(xs, epsilon)
          : { normalized: saved[2] as tf.Tensor2D, inverseStd: saved[3] as tf.Tensor1D };
        const dyRows = tf.reshape(dy, xhat.shape) as tf.Tensor2D;
        const m = xhat.shape[0];
        const meanDy = channelMean(dyRows);
        const meanDyXhat = channelMean(tf.mul(dyRows, xhat) as tf.Tensor2D);
        const centredDy = tf.sub(tf.sub(dyRows, meanDy), tf.mul(xhat, meanDyXhat));
        const dx = tf.reshape(tf.mul(centredDy, tf.mul(gs, r)), xs.shape);
        return [dx, tf.mul(meanDyXhat, m), tf.mul(meanDy, m)];
      },
    };
  });
  return op(x, gamma, beta);
}

/**
 * Native kernels (src/kernels registers them on the wasm backend when the addon is built; named
 * here so that the core does not import src/kernels): the forward value, and the first-order
 * gradient from saved x̂ and r. Higher orders always use the differentiable ops below.
 */
const BATCH_NORM = 'MamlBatchNorm';
const BATCH_NORM_GRAD = 'MamlBatchNormGrad';

function nativeKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/** x̂ [M,C] and r [C] from x (rows = all but the last axis). */
function normalize(x: tf.Tensor, epsilon: number): { normalized: tf.Tensor2D; inverseStd: tf.Tensor1D } {
  const rows = tf.reshape(x, [-1, x.shape[x.rank - 1]!]) as tf.Tensor2D;
  const centered = tf.sub(rows, channelMean(rows)) as tf.Tensor2D;
  const inverseStd = tf.rsqrt(tf.add(channelMean(tf.square(centered) as tf.Tensor2D), epsilon)) as tf.Tensor1D;
  return { normalized: tf.mul(centered, inverseStd) as tf.Tensor2D, inverseStd };
}

/**
 * Untaped forward (x − μ)·(γr) + β. While a tape records, x̂ and r are saved too (for a cheap
 * first-order gradient); otherwise (inference) four passes over x.
 */
function normalizedValue(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number, save: tf.GradSaveFunc): tf.Tensor {
  const rows = tf.reshape(x, [-1, x.shape[x.rank - 1]!]) as tf.Tensor2D;
  if (nativeKernel(BATCH_NORM)) {
    // y, x̂ and r in one native call (the values of the ops below, accumulated in float64)
    const [y, xhat, r] = tf.engine().runKernel(BATCH_NORM, { x: rows, gamma, beta }, { epsilon }) as unknown as tf.Tensor[];
    if (gradientIsTaped()) save([x, gamma, xhat!, r!]);
    return tf.reshape(y!, x.shape);
  }
  const centered = tf.sub(rows, channelMeanValue(rows)) as tf.Tensor2D;
  const inverseStd = tf.rsqrt(tf.add(channelMeanValue(tf.square(centered) as tf.Tensor2D), epsilon)) as tf.Tensor1D;
  if (!gradientIsTaped()) return tf.reshape(tf.add(tf.mul(centered, tf.mul(inverseStd, gamma)), beta), x.shape);
  const normalized = tf.mul(centered, inverseStd);
  save([x, gamma, normalized, inverseStd]);
  return tf.reshape(tf.add(tf.mul(normalized, gamma), beta), x.shape);
}
