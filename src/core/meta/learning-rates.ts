import * as tf from '../tf.ts';
import type { Params } from '../types.ts';

/**
 * Inner-loop learning rate:
 *  - a number: one fixed rate (MAML);
 *  - `perStep`: for each adapted parameter name a tensor [steps] (MAML++: learned per layer, per step);
 *  - `perParameter`: for each adapted name a tensor shaped like the parameter (Meta-SGD).
 * Learned rates are ordinary tensors, so meta-gradients can flow into them.
 */
export type InnerLearningRate = number | { readonly perStep: Params } | { readonly perParameter: Params };

export class MissingLearningRateError extends Error {
  constructor(
    readonly parameter: string,
    readonly available: readonly string[],
  ) {
    super(`no inner learning rate for parameter '${parameter}' (have: ${available.join(', ')})`);
    this.name = 'MissingLearningRateError';
  }
}

export class LearningRateShapeError extends Error {
  constructor(
    readonly parameter: string,
    readonly expected: readonly number[],
    readonly actual: readonly number[],
  ) {
    super(`inner learning rate for '${parameter}': expected shape [${expected.join(',')}], got [${actual.join(',')}]`);
    this.name = 'LearningRateShapeError';
  }
}

/** The learned-rate tensors (empty for a fixed number), to differentiate the meta-loss against. */
export function learnedRates(lr: InnerLearningRate): Params {
  if (typeof lr === 'number') return {};
  return 'perStep' in lr ? lr.perStep : lr.perParameter;
}

/** Checks that every adapted parameter has a rate of the right shape; throws typed errors. */
export function validateRates(lr: InnerLearningRate, params: Params, names: readonly string[], steps: number): void {
  if (typeof lr === 'number') return;
  const rates = learnedRates(lr);
  for (const name of names) {
    const rate = rates[name];
    if (rate === undefined) throw new MissingLearningRateError(name, Object.keys(rates));
    const expected = 'perStep' in lr ? [steps] : params[name]!.shape;
    const ok = 'perStep' in lr ? rate.rank === 1 && rate.shape[0]! >= steps : tf.util.arraysEqual(rate.shape, expected);
    if (!ok) throw new LearningRateShapeError(name, expected, rate.shape);
  }
}

/** The rate for `name` at inner step `step` (a number, a scalar tensor, or a per-element tensor). */
export function rateAt(lr: InnerLearningRate, name: string, step: number): number | tf.Tensor {
  if (typeof lr === 'number') return lr;
  const rates = learnedRates(lr);
  const rate = rates[name];
  if (rate === undefined) throw new MissingLearningRateError(name, Object.keys(rates));
  return 'perStep' in lr ? tf.reshape(tf.slice(rate, [step], [1]), []) : rate;
}
