import * as tf from '../tf.ts';
import type { Params } from '../types.ts';

/**
 * Value of `f` and its gradients w.r.t. `xs` (zeros for an x that `f` does not depend on).
 * Usable inside an enclosing tape: the gradient ops are recorded, so the result differentiates again.
 */
export function valueAndGradients(f: () => tf.Scalar, xs: readonly tf.Tensor[]): { value: tf.Scalar; grads: tf.Tensor[] } {
  const { value, grads } = tf.engine().gradients(f, [...xs], undefined, true);
  return { value, grads: xs.map((x, i) => grads[i] ?? tf.zerosLike(x)) };
}

/**
 * A copy of `x` with no link to any tape: gradients never flow through it (first-order MAML).
 * A data copy, because an op-based stop-gradient would still make tfjs walk (with zeros) the
 * whole inner backward graph behind it.
 */
export function detach<T extends tf.Tensor>(x: T): T {
  return tf.tensor(x.dataSync(), x.shape, x.dtype) as T;
}

/** The named subset of `params`, in the order of `names`. */
export function pick(params: Params, names: readonly string[]): tf.Tensor[] {
  return names.map((name) => params[name]!);
}

/** A Params map from parallel name / tensor lists. */
export function zipParams(names: readonly string[], tensors: readonly tf.Tensor[]): Params {
  const out: Params = {};
  names.forEach((name, i) => {
    out[name] = tensors[i]!;
  });
  return out;
}
