/**
 * Few-shot accuracy of a model file on the Omniglot evaluation alphabets (never seen in training):
 * a fixed-seed list of tasks per setting (N-way K-shot, no rotations, Q queries per class), each
 * adapted at the model's test-time inner steps, in full or head-only, summarised as mean ± 95 % CI
 * (1.96·σ/√n over tasks).
 */
import { evaluateTask } from '../../src/core/evaluate.ts';
import { drawTaskPlans, buildImageTask, meanConfidence, type ImageStore, type MeanConfidence, type TaskPlan } from '../../src/core/tasks/index.ts';
import * as tf from '../../src/core/tf.ts';
import type { Params } from '../../src/core/types.ts';
import { indexOmniglot, loadOmniglot } from '../../src/data/omniglot/index.ts';
import type { ServingModel } from '../../src/api/inference/serving-model.ts';
import { servableWays } from '../../src/core/nets/create.ts';

export interface Setting {
  readonly nWay: number;
  readonly kShot: number;
}

/** The four settings of the MAML paper's Omniglot table. */
export const PAPER_SETTINGS: readonly Setting[] = [
  { nWay: 5, kShot: 1 },
  { nWay: 5, kShot: 5 },
  { nWay: 20, kShot: 1 },
  { nWay: 20, kShot: 5 },
];

export const settingName = (s: Setting) => `${s.nWay}w${s.kShot}s`;

export interface EvaluationSet {
  /** Evaluation-alphabet characters, preprocessed as the model expects. */
  readonly test: ImageStore;
  /** Path (relative to the Omniglot directory) of every image index of `test`. */
  readonly files: readonly string[];
  readonly dir: string;
}

export async function loadEvaluationSet(dir: string, model: ServingModel, cacheDir?: string): Promise<EvaluationSet> {
  const preprocessing = model.metadata.preprocessing;
  if (!preprocessing) throw new Error('the model has no image preprocessing in its metadata: not an image model');
  const data = await loadOmniglot({ dir, ...(cacheDir ? { cacheDir } : {}), preprocessing });
  const index = await indexOmniglot(dir);
  return { test: data.test, files: index.characters.flatMap((c) => c.files), dir: index.dir };
}

/** The most classes the model serves (its head's output units, or any number up to `outputs` for a per-task head). */
export function headOutputs(model: ServingModel): number {
  return servableWays(model.metadata.spec, model.metadata.nWay ?? 1).max;
}

export function taskPlans(set: EvaluationSet, setting: Setting, queries: number, seed: number, count: number): TaskPlan[] {
  return drawTaskPlans(set.test, { ...setting, queries }, seed, count);
}

export interface SettingResult {
  readonly accuracy: MeanConfidence;
  /** Accuracy of each task, in plan order. */
  readonly perTask: Float64Array;
  readonly ms: number;
}

/** θ with the head cut to its first `ways` units (new head tensors; the caller disposes them). */
function withWays(model: ServingModel, ways: number): { params: Params; owned: tf.Tensor[] } {
  const head = model.params['head.weight'];
  if (!head || head.shape[1] === ways) return { params: model.params, owned: [] }; // a per-task head, or already N
  const weight = tf.slice(model.params['head.weight']!, [0, 0], [-1, ways]);
  const bias = tf.slice(model.params['head.bias']!, [0], [ways]);
  return { params: { ...model.params, 'head.weight': weight, 'head.bias': bias }, owned: [weight, bias] };
}

export function evaluatePlans(
  model: ServingModel,
  set: EvaluationSet,
  plans: readonly TaskPlan[],
  options: { headOnly: boolean; steps?: number; normalization?: 'batch' | 'support' },
): SettingResult {
  const started = performance.now();
  const ways = plans[0]!.classes.length;
  const { params, owned } = withWays(model, ways);
  const perTask = new Float64Array(plans.length);
  try {
    plans.forEach((plan, i) => {
      const task = buildImageTask(set.test, plan);
      try {
        const result = evaluateTask(model.net, params, task, {
          steps: options.steps ?? model.settings.steps,
          lr: model.lr,
          ...(options.headOnly ? { only: model.net.headNames } : {}),
          normalization: options.normalization ?? 'batch',
        });
        perTask[i] = result.accuracy!;
      } finally {
        tf.dispose([task.supportX, task.supportY, task.queryX, task.queryY]);
      }
    });
  } finally {
    tf.dispose(owned);
  }
  return { accuracy: meanConfidence(perTask), perTask, ms: performance.now() - started };
}
