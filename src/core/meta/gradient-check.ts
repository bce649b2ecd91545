import { innerLoop } from '../adapt.ts';
import { taskLoss } from '../loss.ts';
import * as tf from '../tf.ts';
import type { Network, Params, Task } from '../types.ts';
import type { MetaGradientOptions } from './meta-gradient.ts';

/**
 * Tools to check gradients against central finite differences (float32: compare directional
 * derivatives along unit directions, with an eps that keeps ε·|F'''| and rounding/ε both small).
 */

/** The meta-objective itself (no gradient): mean over tasks of the query loss at θ′(θ). */
export function metaObjective<X extends tf.Tensor>(net: Network<X>, params: Params, tasks: readonly Task<X>[], options: MetaGradientOptions): number {
  return tf.tidy(() => {
    let total = 0;
    for (const task of tasks) {
      const { params: adapted } = innerLoop(net, params, { x: task.supportX, y: task.supportY }, options);
      total += (options.loss ?? taskLoss)(net.forward(adapted, task.queryX), task.queryY).dataSync()[0]!;
    }
    return total / tasks.length;
  });
}

/** (F(θ + εu) − F(θ − εu)) / 2ε for a direction u over (a subset of) the names of θ. */
export function centralDifference(f: (params: Params) => number, params: Params, direction: Params, eps: number): number {
  const shifted = (sign: number) =>
    tf.tidy(() => {
      const moved: Params = { ...params };
      for (const [name, u] of Object.entries(direction)) moved[name] = tf.add(params[name]!, tf.mul(u, sign * eps));
      return f(moved);
    });
  return (shifted(1) - shifted(-1)) / (2 * eps);
}

/** ⟨a, b⟩ over the names of b. */
export function dot(a: Params, b: Params): number {
  return tf.tidy(() => Object.entries(b).reduce((sum, [name, t]) => sum + tf.sum(tf.mul(a[name]!, t)).dataSync()[0]!, 0));
}

/** u / ‖u‖ (new tensors in the current scope). */
export function normalized(u: Params): Params {
  const norm = Math.sqrt(dot(u, u));
  const out: Params = {};
  for (const [name, t] of Object.entries(u)) out[name] = tf.div(t, norm);
  return out;
}
