/**
 * Every kind the service knows, each in one place with what it can do: networks (by
 * NetworkSpec['kind']), meta-learning algorithms and TensorFlow.js backends are listed here once,
 * and configuration checks, GET /capabilities (openapi.yaml), the CLI's choices and the console's
 * forms all read these lists. Pure data (no TensorFlow.js), so the CLI and the console can import it.
 *
 * Adding a kind: see docs/development.md ("Adding a network or an algorithm"); the Records below
 * are exhaustive, so the compiler names each place that must learn of it.
 */
import type { InnerLearningRate } from './meta/learning-rates.ts';
import type { NetworkSpec, Params } from './types.ts';

export type NetworkKind = NetworkSpec['kind'];

export interface NetworkCapabilities {
  /** What a prediction is: class probabilities (a softmax over the head) or raw regression outputs. */
  readonly output: 'softmax' | 'regression';
  /** What it takes: images [N,H,W,C] (served by the image routes and the console) or feature rows [N,features]. */
  readonly input: 'image' | 'rows';
  /**
   * Classes one session may have: 'up-to-outputs' (a classifier: 2 up to its output units; its head
   * is cut to the first N, or set per task from the support set) or 'as-trained' (its trained `nWay`).
   */
  readonly ways: 'up-to-outputs' | 'as-trained';
  /**
   * Whether its head is a linear map over body features (`head.weight` [features, outputs],
   * `head.bias` [outputs]) that may start every task at zero (architecture.headInit "zero") and be
   * widened to serve up to maxWays classes.
   */
  readonly resettableHead: boolean;
  /** Whether a staged pipeline (pre-training, frozen batch norm, prototype head) can train it. */
  readonly stagedPipeline: boolean;
}

export const NETWORKS: { readonly [K in NetworkKind]: NetworkCapabilities } = {
  conv4: { output: 'softmax', input: 'image', ways: 'up-to-outputs', resettableHead: true, stagedPipeline: true },
  mlp: { output: 'regression', input: 'rows', ways: 'as-trained', resettableHead: false, stagedPipeline: false },
};
export const NETWORK_KINDS = Object.keys(NETWORKS) as NetworkKind[];

export function networkCapabilities(spec: Pick<NetworkSpec, 'kind'>): NetworkCapabilities {
  return NETWORKS[spec.kind];
}

/** The classes one session may have with a network of this spec (`nWay`: what it was trained for). */
export function servableWays(spec: NetworkSpec, nWay: number): { min: number; max: number } {
  return NETWORKS[spec.kind].ways === 'up-to-outputs' ? { min: 2, max: spec.outputs } : { min: nWay, max: nWay };
}

/**
 * The shape of an algorithm's learned inner rates: 'none' (a fixed rate), 'perStep' (a tensor
 * [steps] per adapted parameter: MAML++) or 'perParameter' (shaped like the parameter: Meta-SGD).
 * Model files record it (CheckpointMetadata.learnedRateShape), so serving never infers it.
 */
export type LearnedRateShape = 'none' | 'perStep' | 'perParameter';

export interface AlgorithmCapabilities {
  readonly learnedRates: LearnedRateShape;
  /** Whether its meta-gradient differentiates through the inner loop (second order). */
  readonly secondOrder: boolean;
  /** Whether it can run as a stage of a staged pipeline (training config `stages[].algorithm`). */
  readonly stage: boolean;
  readonly summary: string;
}

export const ALGORITHMS = {
  maml: { learnedRates: 'none', secondOrder: true, stage: true, summary: 'MAML (Finn et al. 2017), second order' },
  fomaml: { learnedRates: 'none', secondOrder: false, stage: true, summary: 'first-order MAML' },
  mamlpp: {
    learnedRates: 'perStep',
    secondOrder: true,
    stage: false,
    summary: 'MAML++: per-layer, per-step learned rates, multi-step loss, derivative-order annealing',
  },
  metasgd: { learnedRates: 'perParameter', secondOrder: true, stage: false, summary: 'Meta-SGD: a learned rate per parameter element' },
  anil: { learnedRates: 'none', secondOrder: true, stage: false, summary: 'ANIL: only the head adapts in the inner loop' },
  reptile: { learnedRates: 'none', secondOrder: false, stage: false, summary: 'Reptile: moves θ towards the adapted weights' },
} as const satisfies Record<string, AlgorithmCapabilities>;

export type MetaAlgorithmName = keyof typeof ALGORITHMS;
export const META_ALGORITHMS = Object.keys(ALGORITHMS) as MetaAlgorithmName[];
/** The algorithms a staged pipeline's meta stage may use. */
export const STAGE_ALGORITHMS = META_ALGORITHMS.filter((name) => ALGORITHMS[name].stage);

export function algorithmCapabilities(name: string): AlgorithmCapabilities | undefined {
  return Object.hasOwn(ALGORITHMS, name) ? ALGORITHMS[name as MetaAlgorithmName] : undefined;
}

/** The inner rate for learned `rates` of this shape: the fixed rate when there are none. */
export function innerRate(shape: LearnedRateShape | undefined, rates: Params, fixed: number): InnerLearningRate {
  if (shape === undefined || shape === 'none' || Object.keys(rates).length === 0) return fixed;
  return shape === 'perParameter' ? { perParameter: rates } : { perStep: rates };
}

/** TFJS_BACKEND's values: 'auto' takes the first that loads of the others, in this order. */
export const BACKENDS = ['auto', 'gpu', 'node', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKENDS)[number];
