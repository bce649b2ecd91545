/**
 * How the pre-training stage takes a step: in this thread, or data-parallel on a MetaGradientPool
 * (src/worker/parallel: each thread builds its share of the batch from the shared image store and returns
 * the mean cross-entropy gradient of it; the pool averages by example count). The batch is the
 * same either way; batch norm normalises each thread's share with its own statistics ("ghost"
 * batches of batchSize / threads), the only difference.
 */
import type { ImageStore } from '../../core/tasks/index.ts';
import * as tf from '../../core/tf.ts';
import { MetaGradientPool } from '../parallel/index.ts';
import { host, POOLED_BACKENDS, tensors, type StepperOptions } from './meta-stepper.ts';
import { pretrainStep, pretrainUpdate, supervisedBatch, supervisedPlans, type pretrainNetwork, type PretrainSettings, type PretrainState } from './pretrain.ts';

export interface PretrainStepper {
  readonly threads: number;
  /** Batch `step` of the stream: a new state (`state` is left as is) and the batch's loss and accuracy. */
  step(state: PretrainState): Promise<{ state: PretrainState; loss: number; accuracy: number }>;
  close(): Promise<void>;
}

export function createPretrainStepper(
  net: ReturnType<typeof pretrainNetwork>,
  store: ImageStore,
  settings: PretrainSettings,
  options: Omit<StepperOptions, 'innerSteps'>,
): PretrainStepper {
  const pooled = options.threads > 1 && POOLED_BACKENDS.has(options.current) && settings.batchSize >= 2 * options.threads;
  if (!pooled) {
    return {
      threads: 1,
      async step(state) {
        const batch = supervisedBatch(store, settings, state.step);
        try {
          return pretrainStep(net, state, batch, settings);
        } finally {
          tf.dispose([batch.x, batch.y]);
        }
      },
      close: async () => undefined,
    };
  }
  let pool: Promise<MetaGradientPool> | null = null;
  return {
    threads: options.threads,
    async step(state) {
      pool ??= MetaGradientPool.start({ threads: options.threads, spec: net.spec, algorithmOptions: { steps: 0, lr: 0 }, backend: options.backend, store });
      const result = await (await pool).metaGradient(await host(state.params), supervisedPlans(store, settings, state.step));
      const grads = tensors(result.grads, state.params);
      try {
        return { state: pretrainUpdate(state, grads, settings), loss: result.loss, accuracy: result.accuracy ?? 0 };
      } finally {
        tf.dispose(Object.values(grads));
      }
    },
    async close() {
      const started = pool;
      pool = null;
      if (started) await (await started.catch(() => null))?.close();
    },
  };
}
