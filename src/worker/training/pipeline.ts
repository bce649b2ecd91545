/**
 * A staged training job (TrainingConfig.stages): supervised pre-training of the body, then
 * Proto-MAML meta-training stages, then the /adapt settings chosen on validation, a test, and the
 * model registered. Every stage validates on the alphabet-disjoint validation split exactly as
 * /predict scores (frozen moments: each image alone), keeps its best θ, and hands that θ to the
 * next stage. One checkpoint holds the running stage's state and its best θ so far; a stopped job
 * resumes in the stage, at the step, where it stopped.
 */
import { CHECKPOINT_FORMAT, decodeCheckpoint, encodeCheckpoint, readParams, toParams, type CheckpointMetadata } from '../../core/checkpoint/index.ts';
import { evaluate, evaluateTask, summarizeEvaluation, type Evaluation } from '../../core/evaluate.ts';
import { networkCapabilities } from '../../core/kinds.ts';
import { createMetaAlgorithm } from '../../core/meta/registry.ts';
import { disposeMetaState, metaStateFromTensors, metaStateTensors, prefixed, type MetaState } from '../../core/meta/state.ts';
import { conv4 } from '../../core/nets/conv4.ts';
import { NonFiniteValueError } from '../../core/tasks/confidence.ts';
import * as tf from '../../core/tf.ts';
import type { Params, Task } from '../../core/types.ts';
import type { MetaStageConfig, PretrainStageConfig, StageConfig, TrainingConfig } from '../../shared/jobs/training-config.ts';
import type { MetricRow, TrainingContext } from './context.ts';
import { createMetaStepper } from './meta-stepper.ts';
import { freezeBody, preciseMoments, pretrainClasses, pretrainInit, pretrainNetwork, type Conv4Spec, type PretrainSettings } from './pretrain.ts';
import { createPretrainStepper } from './pretrain-stepper.ts';
import type { Parallelism, RunOutcome } from './run.ts';
import { imageSource, type TaskSource } from './task-source.ts';

/** What a finished stage left behind (provenance in the model's metadata). */
export interface StageRecord {
  readonly index: number;
  readonly kind: StageConfig['kind'];
  readonly steps: number;
  readonly seconds: number;
  readonly threads: number;
  /** The best validation score and the stage step it was reached at. */
  readonly best: { readonly accuracy: number; readonly ci95: number; readonly step: number } | null;
}

interface Cursor {
  stage: number;
  /** Steps done in the running stage. */
  step: number;
  /** Steps done in all stages before it, plus `step`: the job's iteration. */
  iteration: number;
  best: { accuracy: number; ci95: number; step: number } | null;
  /** Validations since the best. */
  stale: number;
  /** Seconds spent in the running stage before this run. */
  stageSeconds: number;
  history: StageRecord[];
  /** The feature scale set before the first meta stage (see calibrate). */
  calibration?: { factor: number; lossBefore: number; lossAfter: number };
  /** Serving settings tried so far at the end (checkpointed after each, so a restart goes on). */
  selection?: Tried[];
}

/** One serving setting tried on validation; `diverged` when a task's loss was not finite. */
interface Tried {
  steps: number;
  innerLr: number;
  adapt: 'all' | 'head';
  score: number;
  diverged?: true;
  byShots: Record<string, { accuracy: number; ci95: number }>;
  /** The job's own shot count's evaluation, as a summary. */
  validation: ReturnType<typeof summarizeEvaluation> | null;
}

const CHECKPOINT_KIND = 'pipeline-checkpoint';

export function stageSteps(stage: StageConfig, source: TaskSource, rotations: boolean): number {
  if (stage.kind === 'meta') return stage.iterations;
  const store = source.splits!.train;
  // The split's own images (the store's pixel array is shared by every split of the dataset).
  const images = store.classes.reduce((sum, members) => sum + members.length, 0);
  return Math.max(1, Math.ceil((stage.epochs * images * (rotations ? 4 : 1)) / stage.batchSize));
}

export async function runPipeline(ctx: TrainingContext, config: TrainingConfig, source: TaskSource, parallel: Parallelism): Promise<RunOutcome> {
  if (!source.splits || !networkCapabilities(source.spec).stagedPipeline)
    throw new Error(`a staged pipeline cannot train a ${source.spec.kind} network (it needs an image classifier)`);
  const spec = source.spec as Conv4Spec;
  const served = conv4(spec);
  const steps = config.stages.map((s) => stageSteps(s, source, config.rotations));
  const total = steps.reduce((a, b) => a + b, 0);
  const resume = await ctx.resumePoint();
  let cursor: Cursor = { stage: 0, step: 0, iteration: 0, best: null, stale: 0, stageSeconds: 0, history: [] };
  let tensors: Params = {};
  if (resume) {
    const decoded = decodeCheckpoint(resume.checkpoint);
    if (decoded.metadata.extras['kind'] !== CHECKPOINT_KIND) throw new Error('the checkpoint is not a pipeline checkpoint');
    cursor = decoded.metadata.extras['cursor'] as Cursor;
    tensors = toParams(decoded.tensors);
    ctx.log(
      cursor.stage < config.stages.length
        ? `resuming stage ${cursor.stage + 1}/${config.stages.length} at step ${cursor.step} from checkpoint ${resume.id}`
        : `resuming the serving-settings selection (${cursor.selection?.length ?? 0} tried) from checkpoint ${resume.id}`,
    );
  }
  const secondsBefore = resume?.trainingSeconds ?? 0;
  const runStart = performance.now();
  const elapsed = () => secondsBefore + (performance.now() - runStart) / 1000;
  const validate = (params: Params, options: { steps: number; lr: number }): Evaluation =>
    evaluate(served, params, config.evalTasks, (i) => source.validationTask(i), options);

  // `best` is the θ (served network) each stage hands on; `state` the running stage's own state.
  let best: Params = pickPrefixed(tensors, 'best.');
  let state: Params = pickPrefixed(tensors, 'state.');
  const save = async (iteration: number) => {
    const host = await readParams({ ...prefixed(best, 'best.'), ...prefixed(state, 'state.') });
    const metadata: CheckpointMetadata = {
      format: CHECKPOINT_FORMAT,
      spec,
      algorithm: 'pipeline',
      nWay: config.nWay,
      inputShape: [...source.inputShape],
      preprocessing: source.preprocessing,
      learnedLearningRates: false,
      extras: { kind: CHECKPOINT_KIND, cursor: { ...cursor, stageSeconds: cursor.stageSeconds + stageClock() } },
    };
    await ctx.storeCheckpoint(encodeCheckpoint(host, metadata), iteration, elapsed());
  };
  let stageStart = performance.now();
  /** Threads the running stage computes on (CPU-hours = its wall time × this). */
  let stageThreads = 1;
  const stageClock = () => (performance.now() - stageStart) / 1000;

  try {
    for (; cursor.stage < config.stages.length; ) {
      const index = cursor.stage;
      const stage = config.stages[index]!;
      stageStart = performance.now();
      const runner = stage.kind === 'pretrain' ? pretrainStage : metaStage;
      const outcome = await runner(stage as never);
      if (outcome !== 'done') return { status: outcome, iteration: cursor.iteration };
      cursor.history.push({
        index,
        kind: stage.kind,
        steps: cursor.step,
        seconds: cursor.stageSeconds + stageClock(),
        threads: stageThreads,
        best: cursor.best,
      });
      if (ctx.stageModel) {
        // The stage's best θ as a servable model (its own adaptation setting): ablations compare stages on the same tasks.
        const inference =
          stage.kind === 'meta' && stage.innerSteps > 0
            ? { innerLr: stage.innerLr, steps: stage.innerSteps }
            : { innerLr: 0.01, steps: 1, only: [...served.headNames] };
        await ctx.stageModel(index, await modelBytes(best, inference, { stage: cursor.history.at(-1), training: config }));
      }
      ctx.log(
        `stage ${index + 1}/${config.stages.length} (${stage.kind}) done: best validation ${cursor.best ? (cursor.best.accuracy * 100).toFixed(2) : '—'} % at step ${cursor.best?.step ?? '—'}`,
      );
      tf.dispose(Object.values(state));
      state = {};
      cursor = { ...cursor, stage: index + 1, step: 0, best: null, stale: 0, stageSeconds: 0 };
      stageStart = performance.now();
      await save(cursor.iteration);
    }
    return await finish();
  } finally {
    tf.dispose([...Object.values(best), ...Object.values(state)]);
  }

  /**
   * Temperature scaling folded into θ before the first meta stage: a pre-trained body's squared
   * distances make the prototype logits far too confident (a loss in the tens), and Adam, which moves
   * every parameter at about the same rate, would then distort the conv weights while shrinking the
   * scale. The factor that minimises the query loss of a few of the stage's own training tasks (no
   * inner step) scales the last block's γ and β; accuracy does not change (the argmax is the same).
   */
  function calibrate(stageSource: TaskSource): void {
    const factors = [1, 0.5, 0.3, 0.2, 0.15, 0.1, 0.07, 0.05, 0.03, 0.02, 0.01];
    const tasks = stageSource.trainBatch(1_000_000_000, 8); // indices far past any the stage trains on
    try {
      const losses = factors.map((factor) =>
        tf.tidy(() => {
          const scaled = served.scaleFeatures!(best, factor);
          return evaluateTasks(tasks, scaled);
        }),
      );
      const index = losses.indexOf(Math.min(...losses));
      const factor = factors[index]!;
      ctx.log(
        `calibrated the feature scale before meta-training: ×${factor} (query loss ${losses[0]!.toFixed(3)} → ${losses[index]!.toFixed(3)} on 8 training tasks)`,
      );
      cursor.calibration = { factor, lossBefore: losses[0]!, lossAfter: losses[index]! };
      if (factor === 1) return;
      const scaled = served.scaleFeatures!(best, factor);
      const changed = Object.keys(scaled).filter((name) => scaled[name] !== best[name]);
      tf.dispose(changed.map((name) => best[name]!));
      best = scaled;
    } finally {
      tf.dispose(tasks.flatMap((t) => [t.supportX, t.supportY, t.queryX, t.queryY]));
    }
  }

  /** Mean query loss of tasks at θ with 0 inner steps (the prototype head alone). */
  function evaluateTasks(tasks: readonly Task[], params: Params): number {
    let total = 0;
    for (const task of tasks) total += evaluateTask(served, params, task, { steps: 0, lr: 0 }).loss;
    return total / tasks.length;
  }

  /** Frees a stage's state and closes its thread pool (the checkpoint keeps what was saved). */
  async function endStage(mirror: ReturnType<typeof stateMirror>, current: MetaState, stepper: { close(): Promise<void> }) {
    mirror.release();
    disposeMetaState(current);
    state = {};
    await stepper.close();
  }

  /** Keeps `state` (what a checkpoint saves) in step with a stage's MetaState; `release` frees its two counters. */
  function stateMirror() {
    const counters: tf.Tensor[] = [];
    return {
      sync(current: MetaState) {
        tf.dispose(counters.splice(0));
        state = metaStateTensors(current);
        counters.push(state['adam.t']!, state['meta.step']!);
      },
      release: () => tf.dispose(counters.splice(0)),
    };
  }

  /** Records a validation; keeps θ when it is the stage's best. Returns the validation row. */
  function considered(candidate: Params, evaluation: Evaluation, owned: boolean) {
    const accuracy = evaluation.accuracy!.mean;
    const ci95 = evaluation.accuracy!.ci95;
    if (cursor.best === null || accuracy > cursor.best.accuracy) {
      if (candidate !== best) {
        tf.dispose(Object.values(best));
        best = owned ? candidate : cloneAll(candidate);
      }
      cursor.best = { accuracy, ci95, step: cursor.step };
      cursor.stale = 0;
    } else {
      cursor.stale += 1;
      if (owned) tf.dispose(Object.values(candidate));
    }
    return { iteration: cursor.iteration, accuracy, ci95, loss: evaluation.loss.mean };
  }

  function progress(stageIndex: number, kind: StageConfig['kind'], row: MetricRow, perSecond: number, examplesPerSecond?: number) {
    const remaining = total - cursor.iteration;
    ctx.progress({
      iteration: cursor.iteration,
      iterations: total,
      metaLoss: row.metaLoss,
      accuracy: row.accuracy,
      tasksPerSecond: row.tasksPerSecond,
      etaSeconds: perSecond > 0 ? remaining / perSecond : Number.NaN,
      stage: { index: stageIndex, count: config.stages.length, kind, ...(examplesPerSecond !== undefined ? { examplesPerSecond } : {}) },
    });
  }

  async function pretrainStage(stage: PretrainStageConfig): Promise<'done' | 'cancelled' | 'handed-back'> {
    const store = source.splits!.train;
    const net = pretrainNetwork(spec, pretrainClasses(store, config.rotations));
    const settings: PretrainSettings = {
      batchSize: stage.batchSize,
      lr: stage.lr,
      steps: steps[cursor.stage]!,
      augment: stage.augment,
      rotations: config.rotations,
      seed: config.seed,
    };
    let current: MetaState =
      Object.keys(state).length > 0
        ? metaStateFromTensors(state)
        : (() => {
            const fresh = pretrainInit(net, config.seed, stage.lr);
            return { params: fresh.params, rates: {}, optimizer: fresh.optimizer, step: 0 };
          })();
    const mirror = stateMirror();
    const sync = () => mirror.sync(current);
    sync();
    const stepper = createPretrainStepper(net, store, settings, { ...parallel, current: ctx.backend });
    ctx.log(`pre-training on ${stepper.threads} thread(s)`);
    stageThreads = stepper.threads;
    const pending: MetricRow[] = [];
    let window = { start: performance.now(), steps: 0 };
    const validateNow = async () => {
      const moments = preciseMoments(net, current.params, store, config.seed);
      const frozen = freezeBody(current.params, moments);
      tf.dispose(moments.flatMap((m) => [m.mean, m.variance]));
      const row = considered(frozen, validate(frozen, { steps: 0, lr: 0 }), true);
      await ctx.flushMetrics(pending.splice(0), row);
      await save(cursor.iteration);
    };
    try {
      while (cursor.step < settings.steps && cursor.stale < stage.patience) {
        const stop = await ctx.shouldStop();
        if (stop) {
          await ctx.flushMetrics(pending.splice(0));
          await save(cursor.iteration);
          return stop;
        }
        const result = await stepper.step(current);
        disposeMetaState(current);
        current = { ...result.state, rates: {} };
        sync();
        cursor.step += 1;
        cursor.iteration += 1;
        window.steps += 1;
        const seconds = (performance.now() - window.start) / 1000;
        const row = { iteration: cursor.iteration, metaLoss: result.loss, accuracy: result.accuracy, tasksPerSecond: window.steps / Math.max(seconds, 1e-9) };
        pending.push(row);
        progress(cursor.stage, 'pretrain', row, row.tasksPerSecond, row.tasksPerSecond * stage.batchSize);
        if (cursor.step % stage.evalEvery === 0 || cursor.step === settings.steps) await validateNow();
        else if (pending.length >= 25) await ctx.flushMetrics(pending.splice(0));
        if (seconds >= 5) window = { start: performance.now(), steps: 0 };
      }
      if (pending.length > 0) await validateNow();
      return 'done';
    } finally {
      await endStage(mirror, current, stepper);
    }
  }

  async function metaStage(stage: MetaStageConfig): Promise<'done' | 'cancelled' | 'handed-back'> {
    if (Object.keys(best).length === 0) throw new Error('a meta stage needs the θ of a pre-training stage before it');
    const algorithm = createMetaAlgorithm({
      kind: stage.algorithm,
      innerSteps: stage.innerSteps,
      innerLr: stage.innerLr,
      optimizer: { kind: 'adam', lr: stage.metaLr },
      clipNorm: config.gradClip,
      schedule: { kind: 'cosine', steps: stage.iterations },
    });
    // Training tasks of this stage's shape, from a stream of its own; validation stays the job's.
    const stageSource = imageSource(
      { ...config, nWay: stage.nWay, kShot: stage.kShot, queryPerClass: stage.queryPerClass, seed: (config.seed + 7919 * (cursor.stage + 1)) >>> 0 },
      source.splits!,
    );
    const stepper = createMetaStepper(served, algorithm, { ...stageSource, spec }, { ...parallel, current: ctx.backend, innerSteps: stage.innerSteps });
    stageThreads = stepper.threads;
    if (cursor.step === 0 && Object.keys(state).length === 0 && config.stages[cursor.stage - 1]?.kind === 'pretrain') calibrate(stageSource);
    let current: MetaState = Object.keys(state).length > 0 ? metaStateFromTensors(state) : algorithm.init(best);
    if (cursor.best === null && cursor.step === 0) {
      // The stage's starting point is its first candidate: a stage that does not help hands on its input.
      considered(best, validate(best, { steps: stage.innerSteps, lr: stage.innerLr }), false);
    }
    const mirror = stateMirror();
    const sync = () => mirror.sync(current);
    sync();
    const pending: MetricRow[] = [];
    let window = { start: performance.now(), tasks: 0 };
    try {
      while (cursor.step < stage.iterations) {
        const stop = await ctx.shouldStop();
        if (stop) {
          await ctx.flushMetrics(pending.splice(0));
          await save(cursor.iteration);
          return stop;
        }
        const next = await stepper.step(current, cursor.step * stage.metaBatchSize, stage.metaBatchSize);
        disposeMetaState(current);
        current = next.state;
        sync();
        if (!Number.isFinite(next.metrics.loss))
          throw new Error(`meta-loss became ${next.metrics.loss} in stage ${cursor.stage + 1} at step ${cursor.step + 1}: lower innerLr or metaLr`);
        cursor.step += 1;
        cursor.iteration += 1;
        window.tasks += stage.metaBatchSize;
        const seconds = (performance.now() - window.start) / 1000;
        const row = {
          iteration: cursor.iteration,
          metaLoss: next.metrics.loss,
          accuracy: next.metrics.accuracy,
          tasksPerSecond: window.tasks / Math.max(seconds, 1e-9),
        };
        pending.push(row);
        progress(cursor.stage, 'meta', row, row.tasksPerSecond / stage.metaBatchSize);
        if (cursor.step % stage.evalEvery === 0 || cursor.step === stage.iterations) {
          const validation = considered(current.params, validate(current.params, { steps: stage.innerSteps, lr: stage.innerLr }), false);
          await ctx.flushMetrics(pending.splice(0), validation);
          await save(cursor.iteration);
        } else if (pending.length >= 25) {
          await ctx.flushMetrics(pending.splice(0));
        }
        if (seconds >= 5) window = { start: performance.now(), tasks: 0 };
      }
      return 'done';
    } finally {
      await endStage(mirror, current, stepper);
    }
  }

  /** Chooses /adapt's steps and rate on validation, tests, and registers the model. */
  async function finish(): Promise<RunOutcome> {
    const tried: Tried[] = (cursor.selection ??= []);
    // Validation tasks of each selected shot count (the job's own list for its kShot).
    const sources = config.selection.shots.map((kShot) => ({
      kShot,
      source: kShot === config.kShot ? source : imageSource({ ...config, kShot }, source.splits!),
    }));
    const candidates = config.selection.adapt.flatMap((adapt) =>
      config.selection.steps.flatMap((steps) => (steps === 0 ? [0] : config.selection.innerLr).map((lr) => ({ adapt, steps, lr }))),
    );
    for (const { adapt, steps: stepsTried, lr } of candidates) {
      if (tried.some((t) => t.adapt === adapt && t.steps === stepsTried && t.innerLr === lr)) continue; // done before a restart
      const only = adapt === 'head' ? served.headNames : undefined;
      const byShots: Record<string, { accuracy: number; ci95: number }> = {};
      let own: Evaluation | null = null;
      let diverged = false;
      for (const { kShot, source: shots } of sources) {
        try {
          const evaluation = evaluate(served, best, config.evalTasks, (i) => shots.validationTask(i), { steps: stepsTried, lr, ...(only ? { only } : {}) });
          byShots[`${kShot}`] = { accuracy: evaluation.accuracy!.mean, ci95: evaluation.accuracy!.ci95 };
          if (kShot === config.kShot || own === null) own = evaluation;
        } catch (error) {
          if (!(error instanceof NonFiniteValueError)) throw error;
          diverged = true; // too large a rate: the inner loop blew up on some task
          break;
        }
      }
      const score = diverged ? 0 : Object.values(byShots).reduce((a, v) => a + v.accuracy, 0) / sources.length;
      tried.push({
        steps: stepsTried,
        innerLr: lr,
        adapt,
        score,
        ...(diverged ? { diverged: true as const } : {}),
        byShots,
        validation: own && !diverged ? summarizeEvaluation(own) : null,
      });
      ctx.log(
        `selection ${tried.length}: ${stepsTried} step(s) at ${lr} on ${adapt}: ${
          diverged
            ? 'diverged (a non-finite loss)'
            : `validation ${Object.entries(byShots)
                .map(([k, v]) => `${k}-shot ${(v.accuracy * 100).toFixed(2)} %`)
                .join(', ')}`
        }`,
      );
      await save(cursor.iteration);
    }
    const pick = cheapestOfBest(tried.filter((t) => !t.diverged));
    if (!pick) throw new Error('every serving setting tried diverged on validation');
    ctx.log(
      `serving settings: ${pick.steps} step(s) at ${pick.innerLr} on ${pick.adapt} (mean validation over ${config.selection.shots.join(', ')} shots: ${(pick.score * 100).toFixed(2)} %)`,
    );
    const only = pick.adapt === 'head' ? served.headNames : undefined;
    const options = { steps: pick.steps, lr: pick.innerLr, ...(only ? { only } : {}) };
    ctx.log(`testing on ${config.testTasks} tasks of the test split`);
    const test = summarizeEvaluation(evaluate(served, best, config.testTasks, (i) => source.testTask(i), options));
    const trainingSeconds = elapsed();
    const validation = pick.validation!;
    const metrics = {
      validation,
      test,
      testPerImage: test, // frozen normalisation: each image alone scores exactly as its batch
      testInnerSteps: pick.steps,
      kShot: config.kShot,
      nWay: config.nWay,
      iterations: cursor.iteration,
      trainingSeconds,
      backend: ctx.backend,
    };
    const cpuSeconds = cursor.history.reduce((a, s) => a + s.seconds * s.threads, 0);
    const bytes = await modelBytes(
      best,
      { innerLr: pick.innerLr, steps: pick.steps, ...(only ? { only: [...only] } : {}) },
      {
        training: config,
        provenance: {
          stages: cursor.history,
          selection: tried,
          cpuHours: cpuSeconds / 3600,
          seed: config.seed,
          split: splitSummary(),
          ...(cursor.calibration ? { calibration: cursor.calibration } : {}),
        },
        iterations: cursor.iteration,
        seed: config.seed,
        trainingSeconds,
        backend: ctx.backend,
        metrics,
      },
    );
    const modelId = await ctx.registerModel(bytes, metrics);
    return { status: 'completed', modelId };
  }

  /** Which classes trained, validated and tested (Omniglot: the validation alphabets by name). */
  function splitSummary() {
    const splits = source.splits!;
    const groups = (names: readonly string[] | undefined) => [...new Set((names ?? []).map((n) => n.split('/')[0]!))].sort();
    return {
      trainClasses: splits.train.classes.length,
      validationClasses: splits.validation.classes.length,
      testClasses: splits.test.classes.length,
      validationGroups: groups(splits.validation.classNames),
      testGroups: groups(splits.test.classNames),
    };
  }

  /** A servable model file of θ (the pipeline's final model, or a finished stage's best for ablations). */
  async function modelBytes(params: Params, inference: Record<string, unknown>, extras: Record<string, unknown>): Promise<Uint8Array> {
    return encodeCheckpoint(await readParams(params), {
      format: CHECKPOINT_FORMAT,
      spec,
      algorithm: 'proto-maml',
      nWay: null,
      inputShape: [...source.inputShape],
      preprocessing: source.preprocessing,
      learnedLearningRates: false,
      extras: { kind: 'model', inference, normalization: 'frozen', head: 'prototype', ways: { min: 2, max: spec.outputs }, ...extras },
    });
  }
}

/**
 * Settings whose mean validation is within SELECTION_TIE of the best are ties (150 tasks give a
 * ±0.7-point interval); of those, /adapt gets the cheapest: the head alone before all layers, then
 * fewer steps, then the smaller rate.
 */
export const SELECTION_TIE = 0.001;

export function cheapestOfBest<T extends { adapt: 'all' | 'head'; steps: number; innerLr: number; score: number }>(tried: readonly T[]): T | null {
  if (tried.length === 0) return null;
  const best = Math.max(...tried.map((t) => t.score));
  const cost = (t: T) => [t.adapt === 'head' ? 0 : 1, t.steps, t.innerLr];
  return [...tried]
    .filter((t) => t.score >= best - SELECTION_TIE)
    .sort((a, b) => {
      const [x, y] = [cost(a), cost(b)];
      return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!;
    })[0]!;
}

function pickPrefixed(tensors: Params, prefix: string): Params {
  return Object.fromEntries(
    Object.entries(tensors)
      .filter(([n]) => n.startsWith(prefix))
      .map(([n, t]) => [n.slice(prefix.length), t]),
  );
}

function cloneAll(params: Params): Params {
  return Object.fromEntries(Object.entries(params).map(([n, t]) => [n, tf.clone(t)]));
}
