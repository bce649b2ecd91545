/**
 * One run of a meta-training job (in the sandboxed processor): resume from the job's checkpoint or
 * start from θ₀, meta-step over seeded task batches, record metrics, validate every `evalEvery`,
 * checkpoint every `checkpointEvery`, and at the end evaluate on the test split and register the
 * model. Stops early, checkpointing first, when the job is cancelled or the worker shuts down.
 */
import { evaluate, summarizeEvaluation } from '../../core/evaluate.ts';
import { ALGORITHMS, innerRate, networkCapabilities } from '../../core/kinds.ts';
import { createMetaAlgorithm, type MetaAlgorithmConfig } from '../../core/meta/registry.ts';
import { disposeMetaState, type MetaState } from '../../core/meta/state.ts';
import { createNetwork } from '../../core/nets/index.ts';
import * as tf from '../../core/tf.ts';
import type { BackendChoice } from '../../tf/backend.ts';
import type { TrainingConfig } from '../../shared/jobs/training-config.ts';
import { checkpointBytes, modelCheckpoint, stateFromCheckpoint } from './checkpoints.ts';
import type { TrainingContext } from './context.ts';
import { createMetaStepper } from './meta-stepper.ts';
import { runPipeline } from './pipeline.ts';
import { resetHead } from './zero-head.ts';
import type { TaskSource } from './task-source.ts';

export type RunOutcome = { status: 'completed'; modelId: string } | { status: 'cancelled' | 'handed-back'; iteration: number };

export function algorithmConfig(config: TrainingConfig): MetaAlgorithmConfig {
  const base = {
    innerSteps: config.innerSteps,
    innerLr: config.innerLr,
    optimizer: { kind: 'adam' as const, lr: config.metaLr },
    clipNorm: config.gradClip,
  };
  return config.algorithm === 'mamlpp'
    ? { kind: 'mamlpp', ...base, multiStepLossSteps: Math.min(config.iterations, 10_000), firstOrderSteps: Math.min(Math.floor(config.iterations / 10), 5_000) }
    : { kind: config.algorithm, ...base };
}

/** Threads for the meta-gradient (src/worker/parallel) and the backend they start (TFJS_BACKEND). */
export interface Parallelism {
  readonly threads: number;
  readonly backend: BackendChoice;
}

export async function runTraining(
  ctx: TrainingContext,
  config: TrainingConfig,
  source: TaskSource,
  parallel: Parallelism = { threads: 1, backend: 'auto' },
): Promise<RunOutcome> {
  if ((config.stages?.length ?? 0) > 0) return runPipeline(ctx, config, source, parallel); // jobs stored before stages have none
  const resume = await ctx.resumePoint();
  const net = createNetwork(source.spec);
  const algorithm = createMetaAlgorithm(algorithmConfig(config));
  const stepper = createMetaStepper(net, algorithm, source, { ...parallel, current: ctx.backend, innerSteps: config.innerSteps });
  ctx.log(`meta-steps on ${stepper.threads} thread(s)`);
  let state: MetaState;
  let iteration = 0;
  if (resume) {
    state = stateFromCheckpoint(resume.checkpoint);
    iteration = resume.iteration;
    ctx.log(`resuming at iteration ${iteration} from checkpoint ${resume.id}`);
  } else {
    const initial = net.init(config.seed);
    state = algorithm.init(initial);
    tf.dispose(Object.values(initial));
  }
  const zeroHead = config.architecture.headInit === 'zero' && networkCapabilities(source.spec).resettableHead;
  const lr = () => innerRate(ALGORITHMS[config.algorithm].learnedRates, state.rates, config.innerLr);
  const validate = () => evaluate(net, state.params, config.evalTasks, (i) => source.validationTask(i), { steps: config.testInnerSteps, lr: lr() });

  const secondsBefore = resume?.trainingSeconds ?? 0;
  const runStart = performance.now();
  const elapsed = () => secondsBefore + (performance.now() - runStart) / 1000;
  const checkpoint = async () => ctx.storeCheckpoint(await checkpointBytes(config, source, state, iteration), iteration, elapsed());
  const pending: { iteration: number; metaLoss: number; accuracy: number | null; tasksPerSecond: number }[] = [];
  let windowStart = performance.now();
  let windowTasks = 0;

  try {
    while (iteration < config.iterations) {
      const stop = await ctx.shouldStop();
      if (stop) {
        await ctx.flushMetrics(pending.splice(0));
        await checkpoint();
        return { status: stop, iteration };
      }
      const next = await stepper.step(state, iteration * config.metaBatchSize, config.metaBatchSize);
      disposeMetaState(state);
      state = zeroHead ? resetHead(next.state) : next.state;
      iteration += 1;
      windowTasks += config.metaBatchSize;
      if (!Number.isFinite(next.metrics.loss)) throw new Error(`meta-loss became ${next.metrics.loss} at iteration ${iteration}: lower innerLr or metaLr`);
      const seconds = (performance.now() - windowStart) / 1000;
      const tasksPerSecond = windowTasks / Math.max(seconds, 1e-9);
      pending.push({ iteration, metaLoss: next.metrics.loss, accuracy: next.metrics.accuracy, tasksPerSecond });

      const validating = iteration % config.evalEvery === 0 && iteration < config.iterations;
      if (validating) {
        const validation = summarizeEvaluation(validate());
        await ctx.flushMetrics(pending.splice(0), { iteration, ...validation });
      } else if (pending.length >= 25 || seconds >= 2) {
        await ctx.flushMetrics(pending.splice(0));
      }
      if (seconds >= 2) {
        windowStart = performance.now();
        windowTasks = 0;
      }
      ctx.progress({
        iteration,
        iterations: config.iterations,
        metaLoss: next.metrics.loss,
        accuracy: next.metrics.accuracy,
        tasksPerSecond,
        etaSeconds: (config.iterations - iteration) * (config.metaBatchSize / tasksPerSecond),
      });
      if (iteration % config.checkpointEvery === 0 && iteration < config.iterations) await checkpoint();
    }
    await ctx.flushMetrics(pending.splice(0));
    await checkpoint();
    ctx.log(
      `training done: validating on ${config.evalTasks} tasks, then testing on ${config.testTasks} tasks of the test split (each query alone and as a batch)`,
    );
    const validation = summarizeEvaluation(validate());
    const testOptions = { steps: config.testInnerSteps, lr: lr() };
    const test = summarizeEvaluation(evaluate(net, state.params, config.testTasks, (i) => source.testTask(i), testOptions));
    // As /predict answers: each query normalised with its support set's moments, not with the other queries.
    const testPerImage = net.moments
      ? summarizeEvaluation(evaluate(net, state.params, config.testTasks, (i) => source.testTask(i), { ...testOptions, normalization: 'support' }))
      : undefined;
    ctx.log(`test accuracy ${test.accuracy === null ? `loss ${test.loss.toFixed(4)}` : `${(test.accuracy * 100).toFixed(2)} %`}; registering the model`);
    const trainingSeconds = elapsed();
    const metrics = {
      validation,
      test,
      ...(testPerImage ? { testPerImage } : {}),
      testInnerSteps: config.testInnerSteps,
      kShot: config.kShot,
      nWay: config.nWay,
      iterations: iteration,
      trainingSeconds,
      backend: ctx.backend,
    };
    const bytes = await modelCheckpoint(config, source, state, { iterations: iteration, seed: config.seed, trainingSeconds, backend: ctx.backend, metrics });
    const model = await ctx.registerModel(bytes, metrics);
    return { status: 'completed', modelId: model };
  } finally {
    disposeMetaState(state);
    await stepper.close();
  }
}
