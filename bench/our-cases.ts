/**
 * The benchmark cases on our side, on the shapes of the PyTorch reference (Conv4, 28×28×1, 64
 * filters, random images in [0, 1)): adaptation as the API runs it, and the second-order
 * meta-step of meta-training on one thread (the core's metaGradient here) or on a pool.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { adapt, type PhaseTimes, predict, timed } from '../src/core/adapt.ts';
import { decodeCheckpoint, LEARNED_LR_PREFIX, toParams } from '../src/core/checkpoint/index.ts';
import { adaptFast, clearFoldCache, predictFast } from '../src/core/serving.ts';
import { metaGradient } from '../src/core/meta/index.ts';
import { disposeTask, randomImageTask } from '../src/core/meta/synthetic-tasks.ts';
import { createNetwork } from '../src/core/nets/index.ts';
import { type ImageStore, Rng, TaskSampler, buildImageTask, type TaskPlan } from '../src/core/tasks/index.ts';
import * as tf from '../src/core/tf.ts';
import type { NetworkSpec, Params } from '../src/core/types.ts';
import { type HostParams, MetaGradientPool, shareImageStore } from '../src/worker/parallel/index.ts';

export type Variant = 'maxpool' | 'strided';

export function conv4Spec(variant: Variant, outputs: number): NetworkSpec {
  return { kind: 'conv4', variant, inputSize: 28, channels: 1, filters: 64, outputs, headInit: 'random' };
}

export interface BenchCase {
  /** Our name, and the PyTorch reference case with the same shapes. */
  readonly name: string;
  readonly torch: string;
  readonly run: () => unknown;
  readonly dispose: () => void | Promise<unknown>;
  /** Milliseconds per phase that `run` adds to (forward, backward, update, queries …), when it is profiled. */
  readonly phases?: PhaseTimes;
  /** 'fast': the serving fast path (src/core/serving.ts); 'reference': the differentiable tfjs path. */
  readonly path?: 'fast' | 'reference';
}

export class TensorLeakError extends Error {
  constructor(
    readonly benchCase: string,
    readonly before: number,
    readonly after: number,
  ) {
    super(`${benchCase} leaked tensors: ${before} before, ${after} after`);
    this.name = 'TensorLeakError';
  }
}

/**
 * 5 SGD steps on N·1 support images (+ class probabilities for 15 queries per class unless
 * head-only), through the tfjs reference (adapt, predict) or, with `fast`, the path the API runs
 * (adaptFast, predictFast; the reference where they decline).
 */
function adaptCase(variant: Variant, name: string, torch: string, ways: number, lr: number, headOnly: boolean, fast = false): BenchCase {
  const net = createNetwork(conv4Spec(variant, ways));
  const params = net.init(0);
  const task = randomImageTask({ ways, shots: 1, queries: 15, size: 28, channels: 1 }, 1);
  const support = { x: task.supportX, y: task.supportY };
  const phases: PhaseTimes = {};
  const options = { steps: 5, lr, phases, ...(headOnly ? { only: net.headNames } : {}) };
  return {
    name,
    torch,
    phases,
    path: fast ? 'fast' : 'reference',
    run: () => {
      const before = tf.memory().numTensors;
      // the fast path: adaptFast as the API runs it (head-only: host head steps; all layers: the native inner loop)
      const { params: adapted } = (fast ? adaptFast(net, params, support, options) : undefined) ?? adapt(net, params, support, options);
      if (!headOnly) {
        timed(phases, 'queries', () => {
          // as /predict runs it: the fast forward (src/core/serving.ts) unless this is the tfjs reference row
          const probabilities = (fast ? predictFast(net, adapted, task.queryX) : undefined) ?? predict(net, adapted, task.queryX);
          probabilities.dataSync();
          probabilities.dispose();
        });
      }
      tf.dispose(Object.values(adapted));
      if (tf.memory().numTensors !== before) throw new TensorLeakError(name, before, tf.memory().numTensors);
    },
    dispose: () => {
      tf.dispose(Object.values(params));
      disposeTask(task);
    },
  };
}

export function adaptCases(variant: Variant): BenchCase[] {
  return [
    adaptCase(variant, 'adapt_5w1s', 'adapt_5w1s', 5, 0.4, false),
    adaptCase(variant, 'adapt_20w1s', 'adapt_20w1s', 20, 0.1, false),
    // the same on the fast path the API runs: the 5 steps in one native call (MamlConv4Adapt), the queries by the fast forward
    adaptCase(variant, 'adapt_5w1s_fast', 'adapt_5w1s', 5, 0.4, false, true),
    adaptCase(variant, 'adapt_20w1s_fast', 'adapt_20w1s', 20, 0.1, false, true),
    adaptCase(variant, 'adapt_5w1s_head_only', 'adapt_5w1s_head', 5, 0.4, true),
    // the same through the serving fast path (src/core/serving.ts: body once, head steps on the host), as the API runs it
    adaptCase(variant, 'adapt_5w1s_head_only_fast', 'adapt_5w1s_head', 5, 0.4, true, true),
  ];
}

export const SHIPPED_MODEL = fileURLToPath(new URL('../models/omniglot.safetensors', import.meta.url));

/**
 * The shipped default model's serving path (models/omniglot.safetensors: max-pool Conv4, frozen
 * batch norm, prototype head; /adapt = 1 SGD step on the head at its inner rate, 0.01): adapt to N
 * support images (1 shot) and score 15 queries per class, as /adapt then /predict compute it; on
 * the fast path (src/core/serving.ts, what the API runs) and on the tfjs reference path.
 * Random inputs in [0, 1) as the PyTorch reference's.
 */
function servedCase(ways: number, queries: number, path: 'fast' | 'reference'): BenchCase {
  const { tensors, metadata } = decodeCheckpoint(readFileSync(SHIPPED_MODEL));
  const net = createNetwork(metadata.spec);
  const params = toParams(new Map([...tensors].filter(([name]) => !name.startsWith(LEARNED_LR_PREFIX))));
  const inference = (metadata.extras['inference'] ?? {}) as { innerLr?: number; steps?: number };
  const options = { steps: inference.steps ?? 1, lr: inference.innerLr ?? 0.01, only: net.headNames };
  const task = randomImageTask({ ways, shots: 1, queries: Math.max(queries, 1), size: 28, channels: 1 }, 3);
  const support = { x: task.supportX, y: task.supportY };
  const phases: PhaseTimes = {};
  // The fast path folds θ's batch norm once per model and caches it (as a serving thread does): fold now, not in a timed run.
  if (path === 'fast') tf.dispose(Object.values(adaptFast(net, params, support, options)!.params));
  const name =
    queries > 0
      ? `served_${ways}w1s${path === 'reference' ? '_tfjs_reference' : ''}`
      : `served_${ways}w1s_adapt_only${path === 'reference' ? '_tfjs_reference' : ''}`;
  return {
    name,
    torch: queries > 0 ? `serve_${ways}w1s` : `serve_${ways}w1s_adapt_only`,
    phases,
    path,
    run: () => {
      const before = tf.memory().numTensors;
      const result = path === 'fast' ? adaptFast(net, params, support, { ...options, phases })! : adapt(net, params, support, { ...options, phases });
      if (queries > 0) {
        const probabilities =
          // as /predict: the model's θ with the session's adapted head
          path === 'fast'
            ? predictFast(net, { ...params, 'head.weight': result.params['head.weight']!, 'head.bias': result.params['head.bias']! }, task.queryX, { phases })!
            : timed(phases, 'queries', () => predict(net, result.params, task.queryX));
        timed(phases, 'queries', () => probabilities.dataSync());
        probabilities.dispose();
      }
      tf.dispose(Object.values(result.params));
      if (tf.memory().numTensors !== before) throw new TensorLeakError(name, before, tf.memory().numTensors);
    },
    dispose: () => {
      clearFoldCache();
      tf.dispose(Object.values(params));
      disposeTask(task);
    },
  };
}

/** The shipped model's /adapt + /predict, 5-way and 20-way 1-shot with 15 queries per class, fast path and tfjs reference. */
export function servedCases(): BenchCase[] {
  return [servedCase(5, 15, 'fast'), servedCase(5, 15, 'reference'), servedCase(20, 15, 'fast'), servedCase(20, 15, 'reference'), servedCase(5, 0, 'fast')];
}

/** `classes` classes of 20 random 28×28 images in [0, 1) (the reference uses torch.rand), in shared memory. */
export function randomStore(classes = 100, seed = 5): ImageStore {
  const rng = new Rng(seed);
  const images = Float32Array.from({ length: classes * 20 * 784 }, () => rng.uniform());
  const store = {
    images,
    height: 28,
    width: 28,
    channels: 1,
    classes: Array.from({ length: classes }, (_, c) => Array.from({ length: 20 }, (_, i) => c * 20 + i)),
  };
  return shareImageStore(store);
}

export const META = { metaBatch: 32, shape: { nWay: 5, kShot: 1, queries: 5 }, steps: 1, lr: 0.4 } as const;

function hostParams(params: Params): HostParams {
  return Object.fromEntries(Object.entries(params).map(([n, t]) => [n, t.dataSync() as Float32Array]));
}

/**
 * Second-order meta-gradient of 32 fresh 5-way 1-shot tasks (5 queries per class), gradients
 * brought to the host: the native kernel (one MamlConv4MetaGradient call), or with `reference` the
 * tfjs second-order graph. Phases: tasks (building them from the store), then the kernel's
 * inner_loop, queries, hessian_products, other and host.
 */
export function metaCaseSingleThread(variant: Variant, store: ImageStore, reference = false): BenchCase {
  const net = createNetwork(conv4Spec(variant, 5));
  const params = net.init(0);
  const sampler = new TaskSampler(store, META.shape, 7);
  const name = `meta_step_so_32_1thread${reference ? '_tfjs_reference' : ''}`;
  const phases: PhaseTimes = {};
  return {
    name,
    torch: 'metatrain_step_so',
    phases,
    path: reference ? 'reference' : 'fast',
    run: () => {
      const before = tf.memory().numTensors;
      const tasks = timed(phases, 'tasks', () => Array.from({ length: META.metaBatch }, () => buildImageTask(store, sampler.nextPlan())));
      const { grads } = metaGradient(net, params, tasks, { steps: META.steps, lr: META.lr, reference, phases });
      for (const g of Object.values(grads)) g.dataSync();
      tf.dispose(Object.values(grads));
      tasks.forEach(disposeTask);
      if (tf.memory().numTensors !== before) throw new TensorLeakError(name, before, tf.memory().numTensors);
    },
    dispose: () => tf.dispose(Object.values(params)),
  };
}

/** The same meta-step on a MetaGradientPool of `threads` threads (started here; start-up is not timed). */
export async function metaCasePool(variant: Variant, store: ImageStore, threads: number, fastKernels = true): Promise<BenchCase & { pool: MetaGradientPool }> {
  const spec = conv4Spec(variant, 5);
  const net = createNetwork(spec);
  const initial = net.init(0);
  const params = hostParams(initial);
  tf.dispose(Object.values(initial));
  const pool = await MetaGradientPool.start({ threads, spec, algorithmOptions: { steps: META.steps, lr: META.lr }, store, fastKernels });
  const sampler = new TaskSampler(store, META.shape, 7);
  const plans = (): TaskPlan[] => Array.from({ length: META.metaBatch }, () => sampler.nextPlan());
  return {
    name: `meta_step_so_32_${threads}threads${fastKernels ? '' : '_stock'}`,
    torch: 'metatrain_step_so',
    pool,
    run: () => pool.metaGradient(params, plans()),
    dispose: () => pool.close(),
  };
}
