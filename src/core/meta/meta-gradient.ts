import { type InnerLoopOptions, type PhaseTimes, innerLoop, trainableNames } from '../adapt.ts';
import { taskAccuracy, taskLoss } from '../loss.ts';
import * as tf from '../tf.ts';
import type { Network, Params, Task } from '../types.ts';
import { pick, valueAndGradients, zipParams } from './gradients.ts';
import { learnedRates } from './learning-rates.ts';
import { nativeMetaGradient } from './native-meta-gradient.ts';

export interface MetaGradientOptions extends Omit<InnerLoopOptions, 'keepSteps'> {
  /**
   * Weights of the query loss after inner steps 1…K (MAML++'s multi-step loss); default: only the
   * last step counts ([0,…,0,1]). `loss` (default taskLoss) is used for support and query.
   */
  readonly stepWeights?: readonly number[];
  /** Always the tfjs reference, never the native kernel (tests, benchmarks). */
  readonly reference?: boolean;
  /** Milliseconds per phase of the native path, added to (bench:core's profile). */
  readonly phases?: PhaseTimes;
}

export interface MetaGradientResult {
  /** d(mean meta-objective)/dθ for every name of θ; the caller disposes. */
  readonly grads: Params;
  /** d(mean meta-objective)/d(rate) for each learned-rate tensor (empty for a fixed rate). */
  readonly rateGrads: Params;
  /** Mean over tasks of the differentiated objective (the step-weighted query loss). */
  readonly objective: number;
  /** Mean query loss and accuracy at θ′ (after the last step); accuracy null for regression. */
  readonly loss: number;
  readonly accuracy: number | null;
}

export class StepWeightsError extends Error {
  constructor(
    readonly steps: number,
    readonly weights: readonly number[],
  ) {
    super(`stepWeights must have one weight per inner step (${steps}), got [${weights.join(', ')}]`);
    this.name = 'StepWeightsError';
  }
}

export class EmptyMetaBatchError extends Error {
  constructor() {
    super('metaGradient needs at least one task');
    this.name = 'EmptyMetaBatchError';
  }
}

/**
 * MAML meta-gradient: for each task, adapt θ on the support set (innerLoop, differentiable; a
 * per-task head is set from the support set first, inside the tape), take
 * the query loss at θ′ and differentiate it w.r.t. θ (exact second order unless `firstOrder`) and
 * the learned inner rates; the gradients are averaged over tasks. Leaves no tensors behind except
 * the returned gradients. Conv4 classification runs as one native kernel when the addon is built
 * (native-meta-gradient.ts; the same result up to float rounding), unless `reference`.
 */
export function metaGradient<X extends tf.Tensor>(
  net: Network<X>,
  params: Params,
  tasks: readonly Task<X>[],
  options: MetaGradientOptions,
): MetaGradientResult {
  if (tasks.length === 0) throw new EmptyMetaBatchError();
  const weights = options.stepWeights ?? Array.from({ length: options.steps }, (_, i) => (i === options.steps - 1 ? 1 : 0));
  if (weights.length !== options.steps && !(options.steps === 0 && weights.length === 0)) throw new StepWeightsError(options.steps, weights);
  if (!options.reference) {
    const native = nativeMetaGradient(net, params, tasks, options, weights);
    if (native) return native;
  }
  const thetaNames = trainableNames(net as Network<tf.Tensor>, params); // buffers get no meta-gradient
  const rates = learnedRates(options.lr);
  const rateNames = Object.keys(rates);
  let sums: tf.Tensor[] | null = null;
  const totals = { objective: 0, loss: 0, accuracy: 0 };
  let classification = false;
  for (const task of tasks) {
    const { grads, metrics } = tf.tidy(() => {
      let kept: tf.Scalar[] = [];
      const { value, grads: g } = valueAndGradients(() => {
        const { objective, finalLoss, finalAccuracy } = queryObjective(net, params, task, options, weights);
        kept = [tf.keep(finalLoss), ...(finalAccuracy ? [tf.keep(finalAccuracy)] : [])];
        return objective;
      }, [...pick(params, thetaNames), ...pick(rates, rateNames)]);
      return { grads: g, metrics: [value, ...kept] };
    });
    const [objective, loss, accuracy] = metrics.map((m) => m.dataSync()[0]!);
    tf.dispose(metrics);
    totals.objective += objective!;
    totals.loss += loss!;
    if (accuracy !== undefined) {
      classification = true;
      totals.accuracy += accuracy;
    }
    const previous: tf.Tensor[] | null = sums;
    sums = previous === null ? grads : grads.map((g, i) => tf.add(previous[i]!, g));
    if (previous !== null) tf.dispose([...previous, ...grads]);
  }
  const means = tf.tidy(() => sums!.map((s) => tf.div(s, tasks.length)));
  tf.dispose(sums!);
  const n = tasks.length;
  return {
    grads: zipParams(thetaNames, means.slice(0, thetaNames.length)),
    rateGrads: zipParams(rateNames, means.slice(thetaNames.length)),
    objective: totals.objective / n,
    loss: totals.loss / n,
    accuracy: classification ? totals.accuracy / n : null,
  };
}

/** Σ_k w_k · L_query(θ_k) with θ_k from the differentiable inner loop. */
function queryObjective<X extends tf.Tensor>(net: Network<X>, params: Params, task: Task<X>, options: MetaGradientOptions, weights: readonly number[]) {
  const support = { x: task.supportX, y: task.supportY };
  const { params: adapted, trajectory } = innerLoop(net, params, support, { ...options, keepSteps: true });
  const finalOutputs = net.forward(adapted, task.queryX);
  const lossFn = options.loss ?? taskLoss;
  const finalLoss = lossFn(finalOutputs, task.queryY);
  let objective: tf.Scalar = options.steps === 0 ? finalLoss : tf.scalar(0);
  weights.forEach((w, k) => {
    if (w === 0) return;
    const lossK = k === options.steps - 1 ? finalLoss : lossFn(net.forward(trajectory[k]!, task.queryX), task.queryY);
    objective = tf.add(objective, tf.mul(lossK, w));
  });
  return { objective, finalLoss, finalAccuracy: taskAccuracy(finalOutputs, task.queryY) };
}
