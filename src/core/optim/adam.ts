import * as tf from '../tf.ts';
import type { Params } from '../types.ts';

export interface AdamConfig {
  readonly lr: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
}

/** Adam's state: step count and first / second moments, named like the parameters. */
export interface AdamState {
  readonly t: number;
  readonly m: Params;
  readonly v: Params;
}

/** Zero moments for `params` (new tensors). */
export function adamInit(params: Params): AdamState {
  return tf.tidy(() => {
    const m: Params = {};
    const v: Params = {};
    for (const [name, p] of Object.entries(params)) {
      m[name] = tf.zerosLike(p);
      v[name] = tf.zerosLike(p);
    }
    return { t: 0, m, v };
  });
}

/**
 * One Adam step (Kingma & Ba, bias-corrected, as torch.optim.Adam): new parameters and state as
 * new tensors; the inputs are neither changed nor disposed. Names without a gradient keep their
 * tensors (cloned) and moments.
 */
export function adamStep(params: Params, grads: Params, state: AdamState, config: AdamConfig): { params: Params; state: AdamState } {
  const { lr, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8 } = config;
  const t = state.t + 1;
  const stepSize = (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
  return tf.tidy(() => {
    const next: Params = {};
    const m: Params = {};
    const v: Params = {};
    for (const [name, p] of Object.entries(params)) {
      const g = grads[name];
      const m0 = state.m[name]!;
      const v0 = state.v[name]!;
      if (g === undefined) {
        [next[name], m[name], v[name]] = [tf.clone(p), tf.clone(m0), tf.clone(v0)];
        continue;
      }
      m[name] = tf.add(tf.mul(m0, beta1), tf.mul(g, 1 - beta1));
      v[name] = tf.add(tf.mul(v0, beta2), tf.mul(tf.square(g), 1 - beta2));
      // torch: p − lr·m̂/(√v̂ + ε) = p − stepSize·m/(√v + ε·√(1 − β2ᵗ))
      next[name] = tf.sub(p, tf.mul(tf.div(m[name]!, tf.add(tf.sqrt(v[name]!), epsilon * Math.sqrt(1 - beta2 ** t))), stepSize));
    }
    return { params: next, state: { t, m, v } };
  });
}
