import * as tf from '../tf.ts';
import { customOp, gradientIsTaped } from './custom-op.ts';
import { sumPoolValue, upsample2x, upsampleValue } from './upsample.ts';

/**
 * 2×2 max-pool, stride 2, floor semantics (PyTorch / cbfinn: 7 → 3; a trailing odd row or
 * column is dropped). Differentiable to any order: the gradient routes dy to each window's
 * maxima (shared equally among k tied maxima) through masks computed in the forward pass; the
 * masks are constants (their derivative is zero almost everywhere), so no MaxPoolGrad / Equal
 * gradients are needed, and the routing (upsample2x) differentiates again.
 */
export function maxPool2x2(x: tf.Tensor4D): tf.Tensor4D {
  return pool(x, false);
}

/** relu(maxPool2x2(x)) (= maxPool2x2(relu(x))) as one op with one fused gradient. */
export function reluMaxPool2x2(x: tf.Tensor4D): tf.Tensor4D {
  return pool(x, true);
}

function pool(x: tf.Tensor4D, rectify: boolean): tf.Tensor4D {
  const op = customOp<tf.Tensor4D>(([input], save) => {
    const pooled = tf.maxPool(input as tf.Tensor4D, 2, 2, 'valid');
    // The masks serve only the gradient: without a tape (predict, features) nothing will ask for it.
    if (gradientIsTaped()) save(routingMasks(input as tf.Tensor4D, pooled, rectify));
    return {
      value: rectify ? tf.relu(pooled) : pooled,
      gradFunc: (dy, saved) => routeToMaxima(dy, saved as [tf.Tensor4D, tf.Tensor4D], x.shape),
    };
  });
  return op(x);
}

/**
 * isMax [N,2Ho,2Wo,C]: 1 where an element equals its window's max; share [N,Ho,Wo,C]: 1/(number
 * of maxima), times [max > 0] when rectified. Computed untaped, so they are constants.
 */
function routingMasks(x: tf.Tensor4D, pooled: tf.Tensor4D, rectify: boolean): [tf.Tensor4D, tf.Tensor4D] {
  const [n, h, w, c] = x.shape;
  const [, ho, wo] = pooled.shape;
  const even = ho * 2 === h && wo * 2 === w ? x : tf.slice(x, [0, 0, 0, 0], [n, 2 * ho, 2 * wo, c]);
  const isMax = tf.sub(1, tf.step(tf.sub(upsampleValue(pooled), even))) as tf.Tensor4D;
  const share = tf.div(rectify ? tf.step(pooled) : 1, sumPoolValue(isMax)) as tf.Tensor4D;
  return [isMax, share];
}

/** dx = upsample(dy · share) · isMax, zero-padded back to an odd input size. */
function routeToMaxima(dy: tf.Tensor4D, [isMax, share]: [tf.Tensor4D, tf.Tensor4D], xShape: readonly number[]): tf.Tensor4D {
  const [, h, w] = xShape;
  const [, ho, wo] = dy.shape;
  const dx = tf.mul(upsample2x(tf.mul(dy, share) as tf.Tensor4D), isMax) as tf.Tensor4D;
  if (2 * ho === h && 2 * wo === w) return dx;
  return tf.pad(dx, [
    [0, 0],
    [0, h! - 2 * ho],
    [0, w! - 2 * wo],
    [0, 0],
  ]);
}
