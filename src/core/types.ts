import type { Moments } from './ops/batch-moments.ts';
import type { Tensor, Tensor1D, Tensor2D, Tensor4D } from './tf.ts';

/** Network parameters: an explicit, named map (names are the checkpoint tensor names). */
export type Params = Record<string, Tensor>;

/** Batch norm moments of every normalisation layer, in order (see Network.moments). */
export type NormalizationMoments = readonly Moments[];

/** Options every forward pass understands. */
export interface ForwardOptions {
  /** Names of the parameters a step may not change (head-only adaptation freezes the body). */
  readonly frozen?: ReadonlySet<string>;
  /**
   * Normalise with these moments instead of the batch's own, so each example's output does not
   * depend on the rest of its batch (e.g. queries normalised with their task's support set).
   */
  readonly moments?: NormalizationMoments;
}

/** A functional network: parameters are passed in, never stored. */
export interface Network<X extends Tensor = Tensor> {
  /** Architecture spec, serialisable to JSON (stored in checkpoints and the model registry). */
  readonly spec: NetworkSpec;
  /** Fresh parameters from a seeded generator. */
  init(seed: number): Params;
  /** Logits (classification) or predictions (regression) for a batch. */
  forward(params: Params, x: X, options?: ForwardOptions): Tensor2D;
  /** Names of the head parameters (adapted alone by head-only/ANIL adaptation). */
  readonly headNames: readonly string[];
  /**
   * Body output [N, F], the head's input; with `head` it lets head-only adaptation compute the
   * body once. Invariant: head(params, features(params, x)) equals forward(params, x).
   */
  features?(params: Params, x: X, options?: ForwardOptions): Tensor2D;
  /**
   * The batch norm moments of each normalisation layer in a forward pass over x (networks with
   * batch norm only); the caller disposes them. forward(θ, y, { moments: moments(θ, x) }) scores
   * y as if it were normalised together with x.
   */
  moments?(params: Params, x: X): NormalizationMoments;
  /** Logits / predictions from body features [N, F] (uses only the `headNames` parameters). */
  head?(params: Params, features: Tensor2D): Tensor2D;
  /**
   * Names in params that are state, not parameters (frozen batch norm moments): read by forward,
   * never adapted by the inner loop, never given a meta-gradient. Default none.
   */
  readonly buffers?: readonly string[];
  /**
   * Networks whose head is set per task (headInit 'prototype'): the head parameters for a support
   * set of `classes` classes, as Proto-MAML sets them (w_c = 2μ_c, b_c = −‖μ_c‖², μ_c the mean body
   * output of class c), differentiable w.r.t. params. The inner loop starts from θ ∪ this head.
   */
  taskHead?(params: Params, x: X, labels: Tensor1D, classes: number, options?: ForwardOptions): Params;
  /**
   * θ with the body's output multiplied by `factor` > 0, exactly (new tensors for the changed
   * names only): a temperature folded into the network. With a prototype head the logits scale by
   * factor², so a pre-trained body's over-confident distances can be calibrated before meta-training.
   */
  scaleFeatures?(params: Params, factor: number): Params;
}

/**
 * 'random' / 'zero': a stored head of `outputs` units (zero heads are reset per task in training);
 * 'prototype': no stored head, set per task from the support set (Network.taskHead), any number of
 * classes up to `outputs`.
 */
export type HeadInit = 'random' | 'zero' | 'prototype';

/**
 * How batch norm normalises: 'batch' with each batch's own moments (MAML; per-image serving then
 * needs the support set's moments); 'frozen' with fixed moments stored in the model as buffers
 * (block{i}.bn.running_mean / running_var), the same for support, queries, training and serving.
 */
export type Normalization = 'batch' | 'frozen';

export type NetworkSpec =
  | {
      readonly kind: 'conv4';
      /** 'maxpool': conv stride 1 + 2×2 max-pool (MAML paper); 'strided': stride-2 conv, mean over space (cbfinn/maml). */
      readonly variant: 'maxpool' | 'strided';
      readonly inputSize: number;
      readonly channels: number;
      readonly filters: number;
      readonly outputs: number;
      readonly headInit: HeadInit;
      /** Default 'batch' (models before frozen normalisation have no field). */
      readonly normalization?: Normalization;
    }
  | {
      readonly kind: 'mlp';
      readonly inputs: number;
      readonly hidden: readonly number[];
      readonly outputs: number;
    };

/** One few-shot task. Classification labels are int32 class indices 0..n-1; regression targets are [n,1]. */
export interface Task<X extends Tensor = Tensor> {
  readonly supportX: X;
  readonly supportY: Tensor1D | Tensor2D;
  readonly queryX: X;
  readonly queryY: Tensor1D | Tensor2D;
}

export type ImageTask = Task<Tensor4D>;

/**
 * How an image becomes network input; stored in checkpoints so that training and serving apply
 * the same steps (src/data/image/preprocess.ts implements them): flatten alpha onto white, pad
 * to a square with white, area-resize to size×size, scale to [0, 1], optionally invert
 * (x → 1 − x, so dark ink on white paper becomes high), then (x − mean) / std.
 */
export interface Preprocessing {
  readonly size: number;
  readonly channels: 1 | 3;
  readonly invert: boolean;
  readonly resize: 'area';
  readonly normalisation: { readonly mean: number; readonly std: number };
}
