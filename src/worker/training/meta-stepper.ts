/**
 * How a training run takes a meta-step: in this thread (the core's `algorithm.step`), or with the
 * meta-gradient spread over a MetaGradientPool (src/worker/parallel: one backend per thread, the
 * meta-batch split between them) and the outer update applied here. Same tasks, same result up to
 * float32 summation order. The pool serves MAML-family algorithms on CPU backends (wasm, cpu);
 * Reptile, a GPU backend or one thread step in-process.
 */
import { learnedRates, type GradientSteps, type MetaAlgorithm, type MetaStepMetrics } from '../../core/meta/index.ts';
import type { MetaState } from '../../core/meta/state.ts';
import * as tf from '../../core/tf.ts';
import type { Network, Params } from '../../core/types.ts';
import { MetaGradientPool, type HostParams, type PoolAlgorithmOptions } from '../parallel/index.ts';
import type { BackendChoice } from '../../tf/backend.ts';
import type { TaskSource } from './task-source.ts';

export interface MetaStepper {
  /** Threads computing meta-gradients (1: in this thread). */
  readonly threads: number;
  /** One meta-step on the `size` training tasks from index `first`: a new state (`state` is left as is). */
  step(state: MetaState, first: number, size: number): Promise<{ state: MetaState; metrics: MetaStepMetrics }>;
  close(): Promise<void>;
}

export interface StepperOptions {
  /** Threads wanted (≥ 1); more than one only where the pool applies. */
  readonly threads: number;
  /** Backend the threads start (as TFJS_BACKEND); `current` is the one this thread runs. */
  readonly backend: BackendChoice;
  readonly current: string;
  readonly innerSteps: number;
}

export const POOLED_BACKENDS = new Set(['wasm', 'cpu']);

export function createMetaStepper(net: Network, algorithm: MetaAlgorithm, source: TaskSource, options: StepperOptions): MetaStepper {
  const pooled = options.threads > 1 && algorithm.gradient !== undefined && POOLED_BACKENDS.has(options.current);
  return pooled ? poolStepper(net, algorithm.gradient!, source, options) : inlineStepper(net, algorithm, source);
}

function inlineStepper(net: Network, algorithm: MetaAlgorithm, source: TaskSource): MetaStepper {
  return {
    threads: 1,
    async step(state, first, size) {
      const tasks = source.trainBatch(first, size);
      try {
        return algorithm.step(net, state, tasks);
      } finally {
        tf.dispose(tasks.flatMap((t) => [t.supportX, t.supportY, t.queryX, t.queryY]));
      }
    },
    close: async () => undefined,
  };
}

function poolStepper(net: Network, gradient: GradientSteps, source: TaskSource, options: StepperOptions): MetaStepper {
  let pool: Promise<MetaGradientPool> | null = null;
  const start = (algorithmOptions: PoolAlgorithmOptions) =>
    MetaGradientPool.start({
      threads: options.threads,
      spec: source.spec,
      algorithmOptions,
      backend: options.backend,
      ...(source.trainStore ? { store: source.trainStore } : {}),
    });
  return {
    threads: options.threads,
    async step(state, first, size) {
      const plan = gradient.plan(state, net);
      const { lr } = plan;
      pool ??= start({
        steps: options.innerSteps,
        lr: typeof lr === 'number' ? lr : 'perStep' in lr ? 'perStep' : 'perParameter',
        ...(plan.only ? { only: plan.only } : {}),
      });
      const result = await (await pool).metaGradient(await host(state.params), source.trainPlans(first, size), {
        firstOrder: plan.firstOrder,
        ...(plan.stepWeights ? { stepWeights: plan.stepWeights } : {}),
        rates: await host(learnedRates(lr)),
      });
      const buffers = new Set(net.buffers ?? []); // frozen moments: no meta-gradient
      const grads = tensors(Object.fromEntries(Object.entries(result.grads).filter(([name]) => !buffers.has(name))), state.params);
      const rateGrads = tensors(result.rateGrads, learnedRates(lr));
      try {
        return gradient.apply(state, { ...result, grads, rateGrads }, plan.firstOrder);
      } finally {
        tf.dispose([...Object.values(grads), ...Object.values(rateGrads)]);
      }
    },
    async close() {
      const started = pool;
      pool = null;
      if (started) await (await started.catch(() => null))?.close();
    },
  };
}

export async function host(params: Params): Promise<HostParams> {
  const entries = await Promise.all(Object.entries(params).map(async ([name, t]) => [name, (await t.data()) as Float32Array] as const));
  return Object.fromEntries(entries);
}

/** Host arrays as tensors shaped like `like`'s tensors of the same names. */
export function tensors(values: HostParams, like: Params): Params {
  return Object.fromEntries(Object.entries(values).map(([name, v]) => [name, tf.tensor(v, like[name]!.shape, 'float32')]));
}
