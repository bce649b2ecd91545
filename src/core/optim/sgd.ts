import * as tf from '../tf.ts';
import type { Params } from '../types.ts';

/** p − lr·g for named gradients (new tensors; names without a gradient are cloned). */
export function sgdStep(params: Params, grads: Params, lr: number): Params {
  return tf.tidy(() => {
    const next: Params = {};
    for (const [name, p] of Object.entries(params)) {
      const g = grads[name];
      next[name] = g === undefined ? tf.clone(p) : tf.sub(p, tf.mul(g, lr));
    }
    return next;
  });
}
