/**
 * Where a training job's tasks come from: seeded, index-addressed streams (task i of a stream
 * depends only on the seed and i), so a resumed job continues exactly where its checkpoint was.
 */
import { buildImageTask, drawTaskPlans, TaskSampler, type ImageStore, type TaskPlan, type TaskShape } from '../../core/tasks/index.ts';
import { buildSinusoidTask, planSinusoidTask, type SinusoidPlan, type SinusoidShape } from '../../core/tasks/sinusoid.ts';
import type { NetworkSpec, Preprocessing, Task } from '../../core/types.ts';
import type { TrainingConfig } from '../../shared/jobs/training-config.ts';

export interface TaskSource {
  readonly spec: NetworkSpec;
  readonly preprocessing: Preprocessing | null;
  readonly inputShape: readonly number[];
  /** Images the training plans index (null for sinusoid plans, which carry their points). */
  readonly trainStore: ImageStore | null;
  /** Plans of the training meta-batch starting at task index `first` (for the thread pool). */
  trainPlans(first: number, size: number): TaskPlan[] | SinusoidPlan[];
  /** Training meta-batch starting at task index `first`. The caller disposes the tasks. */
  trainBatch(first: number, size: number): Task[];
  /** Held-out validation task i of a fixed list (the same at every evaluation). */
  validationTask(index: number): Task;
  /** Test task i of a fixed list (final evaluation). */
  testTask(index: number): Task;
  /** The image splits behind an image source (a pipeline's stages draw their own tasks from them). */
  readonly splits?: ImageSplits;
}

/** Seeds of the three streams, derived from the job's seed so that none overlaps another. */
const streams = (seed: number) => ({ train: seed, validation: (seed ^ 0x5bd1e995) >>> 0, test: (seed ^ 0x27d4eb2f) >>> 0 });

export function sinusoidSource(config: TrainingConfig): TaskSource {
  const shape: SinusoidShape = { kShot: config.kShot, queries: config.queryPerClass };
  const seeds = streams(config.seed);
  const trainPlans = (first: number, size: number) => Array.from({ length: size }, (_, i) => planSinusoidTask(shape, seeds.train, first + i));
  return {
    spec: { kind: 'mlp', inputs: 1, hidden: [mlpWidth(config), mlpWidth(config)], outputs: 1 },
    preprocessing: null,
    inputShape: [1],
    trainStore: null,
    trainPlans,
    trainBatch: (first, size) => trainPlans(first, size).map(buildSinusoidTask),
    validationTask: (i) => buildSinusoidTask(planSinusoidTask(shape, seeds.validation, i)),
    testTask: (i) => buildSinusoidTask(planSinusoidTask(shape, seeds.test, i)),
  };
}

export interface ImageSplits {
  readonly train: ImageStore;
  readonly validation: ImageStore;
  readonly test: ImageStore;
  readonly preprocessing: Preprocessing;
}

export function imageSource(config: TrainingConfig, splits: ImageSplits): TaskSource {
  const seeds = streams(config.seed);
  const train: TaskShape = { nWay: config.nWay, kShot: config.kShot, queries: config.queryPerClass, rotations: config.rotations };
  // Evaluation as in the papers: no rotations, K shots, and the same query count per class.
  const held: TaskShape = { nWay: config.nWay, kShot: config.kShot, queries: config.queryPerClass };
  const validationPlans = drawTaskPlans(splits.validation, held, seeds.validation, config.evalTasks);
  let testPlans: ReturnType<typeof drawTaskPlans> | null = null;
  const { train: store } = splits;
  const trainPlans = (first: number, size: number) => {
    const sampler = new TaskSampler(store, train, seeds.train, first);
    return Array.from({ length: size }, () => sampler.nextPlan());
  };
  return {
    spec: {
      kind: 'conv4',
      variant: config.architecture.variant,
      inputSize: splits.preprocessing.size,
      channels: splits.preprocessing.channels,
      filters: config.architecture.filters,
      // A zero head is reset per task (src/worker/training/zero-head.ts): training needs only nWay units of it.
      outputs: config.architecture.headInit === 'zero' ? config.nWay : config.architecture.maxWays,
      headInit: config.architecture.headInit,
      ...(config.architecture.normalization === 'frozen' ? { normalization: 'frozen' as const } : {}),
    },
    splits,
    preprocessing: splits.preprocessing,
    inputShape: [splits.preprocessing.size, splits.preprocessing.size, splits.preprocessing.channels],
    trainStore: store,
    trainPlans,
    trainBatch: (first, size) => trainPlans(first, size).map((plan) => buildImageTask(store, plan)),
    validationTask: (i) => buildImageTask(splits.validation, validationPlans[i]!),
    testTask: (i) => {
      testPlans ??= drawTaskPlans(splits.test, held, seeds.test, config.testTasks);
      return buildImageTask(splits.test, testPlans[i]!);
    },
  };
}

/** The sinusoid MLP's width: jobs queued before architecture.hiddenUnits existed kept it in `filters`. */
function mlpWidth(config: TrainingConfig): number {
  return (config.architecture as Partial<TrainingConfig['architecture']>).hiddenUnits ?? config.architecture.filters;
}
