import * as tf from '../tf.ts';
import { customOp } from './custom-op.ts';

/**
 * Nearest-neighbour 2× upsampling of [N,H,W,C] → [N,2H,2W,C] and its adjoint, the 2×2 sum-pool
 * [N,2H,2W,C] → [N,H,W,C]. Each is the other's gradient, so both differentiate to any order; the
 * forwards use fast kernels (ResizeNearestNeighbor, AvgPool) instead of slow 6-D broadcasting.
 */
export function upsample2x(x: tf.Tensor4D): tf.Tensor4D {
  return customOp<tf.Tensor4D>(([input]) => ({
    value: upsampleValue(input as tf.Tensor4D),
    gradFunc: (dy) => sumPool2x2(dy),
  }))(x);
}

export function sumPool2x2(x: tf.Tensor4D): tf.Tensor4D {
  return customOp<tf.Tensor4D>(([input]) => ({
    value: sumPoolValue(input as tf.Tensor4D),
    gradFunc: (dy) => upsample2x(dy),
  }))(x);
}

/** Untaped forward of upsample2x (for constants such as masks). */
export function upsampleValue(x: tf.Tensor4D): tf.Tensor4D {
  return tf.image.resizeNearestNeighbor(x, [2 * x.shape[1], 2 * x.shape[2]]);
}

/** Untaped forward of sumPool2x2 (even H and W). */
export function sumPoolValue(x: tf.Tensor4D): tf.Tensor4D {
  return tf.mul(tf.avgPool(x, 2, 2, 'valid'), 4);
}
