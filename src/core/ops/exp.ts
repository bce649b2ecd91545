import * as tf from '../tf.ts';
import { customOp } from './custom-op.ts';

/**
 * e^x, differentiable to any order. tfjs's Exp gradient multiplies by its saved *output*,
 * which loses its link to the tape, so second derivatives through tf.exp are silently dropped.
 * Here the gradient recomputes exp from the saved *input* (linked), so it differentiates again.
 */
export function exp<T extends tf.Tensor>(x: T): T {
  const op = customOp<T>(([input], save) => {
    save([input!]);
    return {
      value: tf.exp(input!) as T,
      gradFunc: (dy, saved) => tf.mul(dy, exp(saved[0]!)),
    };
  });
  return op(x);
}
