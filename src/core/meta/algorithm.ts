import { type OptimizerConfig, optimizerStep } from '../optim/optimizer.ts';
import { type LearningRateSchedule, scheduleFactor } from '../optim/schedule.ts';
import * as tf from '../tf.ts';
import type { Network, Params, Task } from '../types.ts';
import { clipByGlobalNorm } from './clip.ts';
import type { InnerLearningRate } from './learning-rates.ts';
import { type MetaGradientOptions, type MetaGradientResult, metaGradient } from './meta-gradient.ts';
import { type MetaState, RATE_PREFIX, newMetaState, optimized, prefixed } from './state.ts';

export { META_ALGORITHMS, type MetaAlgorithmName } from '../kinds.ts';
import type { MetaAlgorithmName } from '../kinds.ts';

/** Settings every algorithm shares. */
export interface MetaConfigBase {
  readonly innerSteps: number;
  /** Fixed inner rate, or the initial value of learned rates (MAML++, Meta-SGD). */
  readonly innerLr: number;
  readonly optimizer: OptimizerConfig;
  /** Global-norm clipping of the meta-gradient (default: none). */
  readonly clipNorm?: number;
  /** The outer rate over meta-steps (MetaState.step), a factor of optimizer.lr; default constant. */
  readonly schedule?: LearningRateSchedule;
}

export interface MetaStepMetrics {
  /** Mean query loss / accuracy at θ′ (accuracy null for regression). */
  readonly loss: number;
  readonly accuracy: number | null;
  /** The differentiated objective (MAML++: the step-weighted loss). */
  readonly objective: number;
  /** Global norm of the meta-gradient before clipping. */
  readonly gradNorm: number;
  readonly firstOrder: boolean;
}

export interface MetaAlgorithm {
  readonly name: MetaAlgorithmName;
  /** A fresh state from θ (copied; learned rates initialised, optimiser moments zero). */
  init(params: Params): MetaState;
  /** One meta-step on a batch of tasks: a new state (new tensors; `state` is left as is) + metrics. */
  step<X extends tf.Tensor>(net: Network<X>, state: MetaState, tasks: readonly Task<X>[]): { state: MetaState; metrics: MetaStepMetrics };
  /**
   * MAML-family algorithms only (not Reptile): `step` split in two, so that the meta-gradient can be
   * computed elsewhere (src/parallel's thread pool): the inner loop to differentiate at `state`,
   * and the outer update from a meta-gradient computed with that plan.
   */
  readonly gradient?: GradientSteps;
}

export interface GradientSteps {
  plan(state: MetaState, net: Network): InnerPlan;
  /** Clip → outer optimiser → a new state (new tensors; `state` and `result` are left as is) + metrics. */
  apply(state: MetaState, result: MetaGradientResult, firstOrder: boolean): { state: MetaState; metrics: MetaStepMetrics };
}

/** How a gradient-based algorithm runs its inner loop at a given meta-step. */
export interface InnerPlan {
  readonly lr: InnerLearningRate;
  readonly firstOrder: boolean;
  readonly only?: readonly string[];
  readonly stepWeights?: readonly number[];
}

/** init + step for MAML-family algorithms: meta-gradient → clip → outer optimiser on θ and rates. */
export function gradientAlgorithm(
  name: MetaAlgorithmName,
  config: MetaConfigBase,
  initialRates: (params: Params) => Params,
  plan: (state: MetaState, net: Network) => InnerPlan,
): MetaAlgorithm {
  return {
    name,
    init: (params) => {
      const rates = initialRates(params);
      const state = newMetaState(params, rates, config.optimizer);
      tf.dispose(Object.values(rates));
      return state;
    },
    step: (net, state, tasks) => {
      const p = plan(state, net as Network);
      const options: MetaGradientOptions = { steps: config.innerSteps, ...p };
      const result = metaGradient(net, state.params, tasks, options);
      try {
        return apply(state, result, p.firstOrder);
      } finally {
        tf.dispose([...Object.values(result.grads), ...Object.values(result.rateGrads)]);
      }
    },
    gradient: { plan, apply },
  };

  function apply(state: MetaState, result: MetaGradientResult, firstOrder: boolean): { state: MetaState; metrics: MetaStepMetrics } {
    const raw = { ...result.grads, ...prefixed(result.rateGrads, RATE_PREFIX) };
    const { grads, norm } = clipByGlobalNorm(raw, config.clipNorm ?? Infinity);
    const optimizer = { ...config.optimizer, lr: config.optimizer.lr * scheduleFactor(config.schedule, state.step) };
    const next = optimizerStep(optimizer, optimized(state), grads, state.optimizer);
    tf.dispose(Object.values(grads)); // clipped copies; `raw` is the caller's
    const metrics = { loss: result.loss, accuracy: result.accuracy, objective: result.objective, gradNorm: norm, firstOrder };
    return { state: { ...splitRates(next.params), optimizer: next.state, step: state.step + 1 }, metrics };
  }
}

/** Inverse of `optimized`: θ and the (prefixed) rates apart again. */
export function splitRates(all: Params): { params: Params; rates: Params } {
  const params: Params = {};
  const rates: Params = {};
  for (const [name, t] of Object.entries(all)) {
    if (name.startsWith(RATE_PREFIX)) rates[name.slice(RATE_PREFIX.length)] = t;
    else params[name] = t;
  }
  return { params, rates };
}

/** Per-name constant tensors of `shape(name)` filled with `value` (initial learned rates). */
export function filledRates(params: Params, shape: (p: tf.Tensor) => number[], value: number): Params {
  return Object.fromEntries(Object.entries(params).map(([name, p]) => [name, tf.fill(shape(p), value)]));
}
