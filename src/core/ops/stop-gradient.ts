import * as tf from '../tf.ts';
import { customOp } from './custom-op.ts';

/**
 * Identity whose gradient is zero, to every order. Inside a customGrad forward nothing is
 * recorded on the tape, so the value (and anything computed from it) is a constant to tf.grads.
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return constantOf((t) => t.clone(), x);
}

/**
 * `f(x)` treated as a constant by gradients (derivative zero to every order). For masks and
 * statistics whose derivative is zero almost everywhere (equality masks, the max in log-sum-exp).
 */
export function constantOf<T extends tf.Tensor, R extends tf.Tensor>(f: (x: T) => R, x: T): R {
  const op = customOp<R>(([input]) => ({
    value: f(input as T),
    gradFunc: () => tf.zerosLike(input!),
  }));
  return op(x);
}
