import * as tf from '../tf.ts';
import { channelSum } from './channel-sum.ts';
import { customOp } from './custom-op.ts';

/** x [..., C] + b [C], whose bias gradient is a fast channel sum (differentiable to any order). */
export function addChannelBias<T extends tf.Tensor>(x: T, b: tf.Tensor1D): T {
  return customOp<T>(([input, bias]) => ({
    value: tf.add(input!, bias!) as T,
    gradFunc: (dy) => [tf.clone(dy), channelSum(tf.reshape(dy, [-1, bias!.shape[0]!]) as tf.Tensor2D)],
  }))(x, b);
}
