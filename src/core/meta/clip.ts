import * as tf from '../tf.ts';
import type { Params } from '../types.ts';

/** √(Σ‖g‖²) over every named gradient. */
export function globalNorm(grads: Params): number {
  return tf.tidy(() => {
    const squares = Object.values(grads).map((g) => tf.sum(tf.square(g)));
    return squares.length === 0 ? 0 : Math.sqrt(tf.addN(squares).dataSync()[0]!);
  });
}

/**
 * Scales all gradients by min(1, maxNorm / globalNorm) (as torch.nn.utils.clip_grad_norm_);
 * returns new tensors and the norm before clipping. maxNorm = Infinity disables clipping.
 */
export function clipByGlobalNorm(grads: Params, maxNorm: number): { grads: Params; norm: number } {
  const norm = globalNorm(grads);
  const scale = norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
  const clipped = tf.tidy(() => {
    const out: Params = {};
    for (const [name, g] of Object.entries(grads)) out[name] = scale === 1 ? tf.clone(g) : tf.mul(g, scale);
    return out;
  });
  return { grads: clipped, norm };
}
