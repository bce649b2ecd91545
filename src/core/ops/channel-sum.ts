import * as tf from '../tf.ts';
import { customOp } from './custom-op.ts';

/**
 * Per-channel means and broadcasts over rows [M,C] (NHWC activations reshaped), written as a
 * mutually adjoint pair so that each differentiates to any order. The mean runs as one global
 * average pool (XNNPACK); tfjs-wasm's Sum/Mean over axis 0 transpose first and are ~10× slower.
 */
export function channelMean(rows: tf.Tensor2D): tf.Tensor1D {
  return customOp<tf.Tensor1D>(([input]) => ({
    value: channelMeanValue(input as tf.Tensor2D),
    gradFunc: (dy) => tf.div(broadcastRows(dy, rows.shape[0]), rows.shape[0]) as tf.Tensor2D,
  }))(rows);
}

/** v [C] repeated as rows [M,C]. */
export function broadcastRows(v: tf.Tensor1D, rows: number): tf.Tensor2D {
  return customOp<tf.Tensor2D>(([input]) => ({
    value: broadcastRowsValue(input as tf.Tensor1D, rows),
    gradFunc: (dy) => channelSum(dy),
  }))(v);
}

export function channelSum(rows: tf.Tensor2D): tf.Tensor1D {
  return tf.mul(channelMean(rows), rows.shape[0]);
}

/** Untaped column means: AvgPool run as a kernel (tf.avgPool would add a Cast). */
export function channelMeanValue(rows: tf.Tensor2D): tf.Tensor1D {
  const [m, c] = rows.shape;
  const attrs = { filterSize: [m, 1], strides: [1, 1], pad: 'valid' };
  const mean = tf.engine().runKernel<tf.Tensor>('AvgPool', { x: tf.reshape(rows, [1, m, 1, c]) }, attrs);
  return tf.reshape(mean, [c]);
}

function broadcastRowsValue(v: tf.Tensor1D, rows: number): tf.Tensor2D {
  const c = v.shape[0];
  return tf.reshape(tf.image.resizeNearestNeighbor(tf.reshape(v, [1, 1, 1, c]) as tf.Tensor4D, [rows, 1]), [rows, c]);
}
