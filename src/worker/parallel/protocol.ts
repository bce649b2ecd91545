/**
 * Messages between MetaGradientPool and its threads. Numbers travel in SharedArrayBuffers: θ and
 * the learned rates packed once per step into one input buffer that every thread reads, and one
 * output buffer where thread t writes its gradient sums at its own offset. Plans are small JSON.
 */
import type { SinusoidPlan, TaskPlan, ImageStore } from '../../core/tasks/index.ts';
import type { SupervisedPlan } from '../../core/tasks/supervised-plan.ts';
import type { NetworkSpec } from '../../core/types.ts';
import type { BackendChoice } from '../../tf/backend.ts';

/**
 * A task as a plan: image tasks are built from the shared image store, sinusoid tasks from their
 * points. Supervised plans (pre-training examples) make the step a data-parallel one: a thread's
 * share is one batch, and its "task count" is the number of examples.
 */
export type PoolTaskPlan = TaskPlan | SinusoidPlan | SupervisedPlan;

/** What every step shares: MAML's inner loop, with learned rates named by kind (their values come per step). */
export interface PoolAlgorithmOptions {
  readonly steps: number;
  /** A fixed rate, or learned rates passed to every metaGradient call (MAML++ 'perStep', Meta-SGD 'perParameter'). */
  readonly lr: number | 'perStep' | 'perParameter';
  readonly firstOrder?: boolean;
  /** Adapt only these parameters (ANIL: the head). */
  readonly only?: readonly string[];
  /** MAML++ multi-step loss weights (one per inner step). */
  readonly stepWeights?: readonly number[];
}

/** Per-step overrides (MAML++ anneals the step weights and the derivative order during training). */
export interface StepOverrides {
  readonly firstOrder?: boolean;
  readonly stepWeights?: readonly number[];
}

export interface ThreadConfig {
  readonly spec: NetworkSpec;
  readonly algorithm: PoolAlgorithmOptions;
  readonly backend: BackendChoice;
  /** Register the native wasm kernels (src/kernels); false keeps the stock ones. */
  readonly fastKernels: boolean;
  readonly store: ImageStore | null;
}

export interface ShapeEntry {
  readonly name: string;
  readonly shape: readonly number[];
}

export interface StepRequest {
  readonly kind: 'step';
  readonly id: number;
  readonly input: SharedArrayBuffer;
  /** Layout of the learned rates, packed after θ in `input` (empty for a fixed rate). */
  readonly rates: readonly ShapeEntry[];
  readonly output: SharedArrayBuffer;
  /** Float offset of this thread's region in `output`: θ gradient sums, then rate gradient sums. */
  readonly outputOffset: number;
  readonly plans: readonly PoolTaskPlan[];
  readonly overrides: StepOverrides;
}

export type ThreadRequest = StepRequest | { readonly kind: 'memory'; readonly id: number } | { readonly kind: 'close' };

export interface SerializedError {
  readonly name: string;
  readonly message: string;
}

export type ThreadReply =
  | { readonly kind: 'ready'; readonly layout: readonly ShapeEntry[]; readonly backend: string; readonly fastKernels: readonly string[] }
  | { readonly kind: 'failed'; readonly error: SerializedError }
  | {
      readonly kind: 'result';
      readonly id: number;
      readonly count: number;
      readonly objective: number;
      readonly loss: number;
      readonly accuracy: number | null;
      /** Time the thread spent on the step (building tasks, metaGradient, copying gradients out). */
      readonly ms: number;
    }
  | { readonly kind: 'memory'; readonly id: number; readonly numTensors: number }
  | { readonly kind: 'error'; readonly id: number; readonly error: SerializedError };

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  return { name: error.name !== 'Error' ? error.name : error.constructor.name, message: error.message };
}

export function isImagePlan(plan: PoolTaskPlan): plan is TaskPlan {
  return 'classes' in plan;
}

export function isSupervisedPlan(plan: PoolTaskPlan): plan is SupervisedPlan {
  return 'kind' in plan && plan.kind === 'supervised';
}

/** An image plan was sent to a pool started without an image store. */
export class NoImageStoreError extends Error {
  constructor() {
    super('an image task plan needs the pool to be started with an image store');
    this.name = 'NoImageStoreError';
  }
}
