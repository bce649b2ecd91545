import * as tf from './tf.ts';
import { taskAccuracy, taskLoss } from './loss.ts';
import { detach, pick, valueAndGradients, zipParams } from './meta/gradients.ts';
import { type InnerLearningRate, rateAt, validateRates } from './meta/learning-rates.ts';
import type { ForwardOptions, Network, NormalizationMoments, Params } from './types.ts';
import { networkCapabilities } from './kinds.ts';

export type { InnerLearningRate } from './meta/learning-rates.ts';

/** Labelled examples: int class labels [N] (classification) or float targets [N,D] (regression). */
export interface LabelledSet<X extends tf.Tensor = tf.Tensor> {
  readonly x: X;
  readonly y: tf.Tensor1D | tf.Tensor2D;
}

export interface InnerLoopOptions {
  /** Number of SGD steps on the support loss (≥ 0). */
  readonly steps: number;
  readonly lr: InnerLearningRate;
  /** Stop gradients through the inner gradients (FOMAML). Default false: exact second order. */
  readonly firstOrder?: boolean;
  /** Adapt only these parameters (e.g. the head: ANIL / head-only); default all. */
  readonly only?: readonly string[];
  /** Also return θ after every step (MAML++'s multi-step loss). */
  readonly keepSteps?: boolean;
  /** The support loss; default `taskLoss` (cross-entropy for int labels, MSE for float targets). */
  readonly loss?: LossFunction;
}

export type LossFunction = (outputs: tf.Tensor2D, targets: tf.Tensor1D | tf.Tensor2D) => tf.Scalar;

export interface InnerLoopResult {
  /** θ′ after the last step. */
  readonly params: Params;
  /** θ_1 … θ_K when `keepSteps` (θ_K is `params`), else empty. */
  readonly trajectory: readonly Params[];
}

export class UnknownParameterError extends Error {
  constructor(
    readonly parameter: string,
    readonly available: readonly string[],
  ) {
    super(`cannot adapt unknown parameter '${parameter}' (have: ${available.join(', ')})`);
    this.name = 'UnknownParameterError';
  }
}

/** learn2learn's maml_update: θ − lr·g for every name in `grads`; other names pass through. */
export function mamlUpdate(params: Params, grads: Params, lr: number | Params): Params {
  const updated: Params = { ...params };
  for (const [name, g] of Object.entries(grads)) {
    const rate = typeof lr === 'number' ? lr : lr[name];
    if (rate === undefined) throw new UnknownParameterError(name, Object.keys(lr));
    updated[name] = tf.sub(params[name]!, tf.mul(g, rate));
  }
  return updated;
}

/**
 * The differentiable inner loop: K SGD steps on the support loss. Call it inside a gradient tape
 * (tf.grads / metaGradient) to differentiate θ′ w.r.t. θ (second order unless `firstOrder`) and
 * w.r.t. learned rates. Tensors are not tidied here: the enclosing scope owns them.
 */
export function innerLoop<X extends tf.Tensor>(net: Network<X>, theta: Params, support: LabelledSet<X>, options: InnerLoopOptions): InnerLoopResult {
  const params = withTaskHead(net, theta, support);
  const names = adaptedNames(net, params, options.only);
  validateRates(options.lr, params, names, options.steps);
  const loss = supportObjective(net, params, support, names, options.loss).loss;
  let current = params;
  const trajectory: Params[] = [];
  for (let step = 0; step < options.steps; step++) {
    // Inside an enclosing tape (metaGradient) tfjs's nested gradients walk the whole tape, so a
    // per-task head computed from θ would add its own dependence on θ to the body's inner gradient.
    // Fresh identities make θ_0's tensors leaves of the step's loss, as in adapt (serving); the
    // outer gradient still flows through them and through the head.
    const leaves =
      step === 0 && params !== theta
        ? {
            ...current,
            ...zipParams(
              names,
              names.map((n) => tf.clone(current[n]!)),
            ),
          }
        : current;
    const { grads } = valueAndGradients(() => loss(leaves), pick(leaves, names));
    current = applyStep(current, names, options.firstOrder ? grads.map(detach) : grads, options.lr, step);
    if (options.keepSteps) trajectory.push(current);
  }
  return { params: current, trajectory };
}

/**
 * Milliseconds per phase, added to by adapt / adaptFast / predictFast when passed (bench:core's
 * profile; the wasm backend runs kernels synchronously, so wall time per phase is kernel time).
 */
export type PhaseTimes = Record<string, number>;

/** Runs f, adding its wall time to phases[name] (when profiling). */
export function timed<T>(phases: PhaseTimes | undefined, name: string, f: () => T): T {
  if (!phases) return f();
  const t0 = performance.now();
  try {
    return f();
  } finally {
    phases[name] = (phases[name] ?? 0) + performance.now() - t0;
  }
}

export interface AdaptResult {
  /** θ′: new tensors for every name (θ is never mutated or disposed); the caller disposes them. */
  readonly params: Params;
  /** Support loss and accuracy at θ′ (accuracy null for regression). */
  readonly supportLoss: number;
  readonly supportAccuracy: number | null;
  /**
   * Batch norm moments of θ′ on the support set (as net.moments(θ′, support.x)), when the caller
   * asked adaptFast for them and its native inner loop computed them anyway; the caller disposes.
   */
  readonly moments?: NormalizationMoments;
}

/** Adapts θ to a support set (no meta-gradient): the inference-time inner loop, step by step tidied. */
export function adapt<X extends tf.Tensor>(
  net: Network<X>,
  params: Params,
  support: LabelledSet<X>,
  options: Omit<InnerLoopOptions, 'firstOrder' | 'keepSteps'> & { readonly phases?: PhaseTimes },
): AdaptResult {
  const phases = options.phases;
  const { adapted, metrics } = tf.tidy(() => {
    const start = timed(phases, 'head_init', () => withTaskHead(net, params, support));
    const names = adaptedNames(net, start, options.only);
    validateRates(options.lr, start, names, options.steps);
    const objective = timed(phases, 'features', () => supportObjective(net, start, support, names, options.loss));
    let current: Params = start;
    for (let step = 0; step < options.steps; step++) {
      const previous = current;
      current = tf.tidy(() => {
        let forwardMs = 0;
        const { grads } = timed(phases, 'backward', () =>
          valueAndGradients(
            () => {
              const t0 = performance.now();
              const loss = objective.loss(previous);
              forwardMs = performance.now() - t0;
              return loss;
            },
            pick(previous, names),
          ),
        );
        if (phases) {
          phases['forward'] = (phases['forward'] ?? 0) + forwardMs;
          phases['backward']! -= forwardMs; // 'backward' timed both
        }
        return timed(phases, 'update', () => applyStep(previous, names, grads, options.lr, step));
      });
      if (previous !== start) names.forEach((name) => previous[name]!.dispose());
    }
    const outputs = timed(phases, 'metrics', () => objective.outputs(current));
    const accuracy = taskAccuracy(outputs, support.y);
    const fresh: Params = {};
    // θ is never handed out: unadapted names (and every name after 0 steps) are copies.
    for (const [name, t] of Object.entries(current)) fresh[name] = t === params[name] ? tf.clone(t) : t;
    const loss = (options.loss ?? taskLoss)(outputs, support.y);
    return { adapted: fresh, metrics: accuracy ? [loss, accuracy] : [loss] };
  });
  const [lossValue, accuracyValue] = timed(phases, 'metrics', () => metrics.map((m) => m.dataSync()[0]!));
  tf.dispose(metrics);
  return { params: adapted, supportLoss: lossValue!, supportAccuracy: accuracyValue ?? null };
}

/**
 * Class probabilities [N, classes] (softmax of the logits; no gradient flows here) for a
 * classifier (conv4), the raw outputs [N, D] for a regression network (mlp). Caller disposes.
 * With `options.moments` (e.g. the support set's, from net.moments) every row is independent of
 * the others; without, batch norm uses x's own statistics (transductive, as MAML evaluates).
 */
export function predict<X extends tf.Tensor>(net: Network<X>, params: Params, x: X, options?: ForwardOptions): tf.Tensor2D {
  return tf.tidy(() => (networkCapabilities(net.spec).output === 'softmax' ? tf.softmax(net.forward(params, x, options)) : net.forward(params, x, options)));
}

/**
 * θ plus, for a network with a per-task head (Network.taskHead), the head set from the support set
 * (classes = the largest label + 1). Classification labels only; θ itself is returned otherwise.
 */
export function withTaskHead<X extends tf.Tensor>(net: Network<X>, params: Params, support: LabelledSet<X>): Params {
  if (!net.taskHead || support.y.rank !== 1) return params;
  const labels = support.y as tf.Tensor1D;
  const classes = Math.max(...Array.from(labels.dataSync())) + 1;
  return { ...params, ...net.taskHead(params, support.x, labels, classes) };
}

/** The names a step may change: `only`, or every name but the network's buffers. */
export function trainableNames(net: Network<tf.Tensor> | Network<never>, params: Params): string[] {
  const buffers = new Set(net.buffers ?? []);
  return Object.keys(params).filter((name) => !buffers.has(name));
}

function adaptedNames<X extends tf.Tensor>(net: Network<X>, params: Params, only: readonly string[] | undefined): string[] {
  const all = Object.keys(params);
  if (only === undefined) return trainableNames(net as Network<tf.Tensor>, params);
  for (const name of only) if (!(name in params)) throw new UnknownParameterError(name, all);
  return [...only];
}

/** Head-only adaptation reuses the body's features (the body does not change). */
function headOnly<X extends tf.Tensor>(net: Network<X>, names: readonly string[]): boolean {
  return net.features !== undefined && net.head !== undefined && names.every((n) => net.headNames.includes(n));
}

/** Outputs and loss on the support set as functions of θ (body features computed once when head-only). */
function supportObjective<X extends tf.Tensor>(
  net: Network<X>,
  params: Params,
  support: LabelledSet<X>,
  names: readonly string[],
  lossFn: LossFunction = taskLoss,
) {
  const feats = headOnly(net, names) ? net.features!(params, support.x) : null;
  const outputs = (p: Params): tf.Tensor2D => (feats ? net.head!(p, feats) : net.forward(p, support.x));
  return { outputs, loss: (p: Params): tf.Scalar => lossFn(outputs(p), support.y) };
}

function applyStep(params: Params, names: readonly string[], grads: readonly tf.Tensor[], lr: InnerLearningRate, step: number): Params {
  if (typeof lr === 'number') return mamlUpdate(params, zipParams(names, grads), lr);
  const rates: Params = {};
  for (const name of names) rates[name] = rateAt(lr, name, step) as tf.Tensor;
  return mamlUpdate(params, zipParams(names, grads), rates);
}
