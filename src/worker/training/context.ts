/**
 * What a training run needs from the outside, implemented over PostgreSQL, Redis and the artifact
 * store (src/worker/training/processor.ts); runTraining itself only sees this interface.
 */
import type { Redis } from 'ioredis';
import type { Db } from '../../shared/db/client.ts';
import type { Prisma } from '../../generated/prisma/client.ts';
import { publishNotice } from '../../shared/cluster/notices.ts';
import { registerModel } from '../../shared/models/registry.ts';
import type { ArtifactStore } from '../../shared/storage/artifact-store.ts';
import { publishProgress, type StageProgress } from '../../shared/jobs/events.ts';
import { isCancelRequested } from '../../shared/jobs/jobs.ts';

export type StopReason = 'cancelled' | 'handed-back';

export interface MetricRow {
  readonly iteration: number;
  readonly metaLoss: number;
  readonly accuracy: number | null;
  readonly tasksPerSecond: number;
}

export interface ValidationRow {
  readonly iteration: number;
  readonly accuracy: number | null;
  readonly ci95: number | null;
  readonly loss: number;
}

export interface Progress {
  readonly iteration: number;
  readonly iterations: number;
  readonly metaLoss: number;
  readonly accuracy: number | null;
  readonly tasksPerSecond: number;
  readonly etaSeconds: number;
  readonly stage?: StageProgress;
}

/** Where a run resumes: the last checkpoint's bytes, its iteration and the time spent so far. */
export interface ResumePoint {
  readonly id: string;
  readonly checkpoint: Uint8Array;
  readonly iteration: number;
  readonly trainingSeconds: number;
}

export interface TrainingContext {
  readonly backend: string;
  /** A line for the worker's log and the job's event stream (a `note` event). */
  log(message: string): void;
  /** The last checkpoint, with any metrics recorded after it discarded (they are redone). */
  resumePoint(): Promise<ResumePoint | null>;
  /** Keeps a checkpoint durably, then makes it the resume point (replacing the previous one). */
  storeCheckpoint(bytes: Uint8Array, iteration: number, trainingSeconds: number): Promise<void>;
  /** Checked once per iteration: stop (after a checkpoint) when cancelled or handed back. */
  shouldStop(): Promise<StopReason | null>;
  flushMetrics(rows: MetricRow[], validation?: ValidationRow): Promise<void>;
  progress(progress: Progress): void;
  /** Registers the finished model (and links it to the job); returns its id. */
  registerModel(checkpoint: Uint8Array, metrics: Record<string, unknown>): Promise<string>;
  /** Pipelines: a finished stage's best θ as a model file (kept by `npm run train` for ablations). */
  stageModel?(index: number, model: Uint8Array): Promise<void>;
}

export interface ContextDeps {
  readonly jobId: string;
  readonly name: string;
  readonly db: Db;
  readonly store: ArtifactStore;
  readonly redis: Redis;
  readonly prefix: string;
  readonly backend: string;
  readonly signal: AbortSignal;
  readonly shutdownReason: string;
  readonly log: (message: string) => void;
}

const PROGRESS_EVERY_MS = 1_000;

export function trainingContext(deps: ContextDeps): TrainingContext {
  const { db, redis, jobId, prefix } = deps;
  let lastProgress = 0;
  let latest: Progress | null = null;
  let validation: ValidationRow | null = null;
  const progressJson = () => ({
    ...latest,
    validation:
      validation && validation.accuracy !== null ? { accuracy: validation.accuracy, ci95: validation.ci95 ?? 0, iteration: validation.iteration } : null,
  });
  return {
    backend: deps.backend,
    log(message) {
      deps.log(message);
      void publishProgress(redis, prefix, jobId, { type: 'note', message: message.slice(0, 2000) }).catch(() => 0); // live, as an SSE `note`
    },
    async resumePoint() {
      const job = await db.trainingJob.findUniqueOrThrow({ where: { id: jobId } });
      if (!job.checkpointSha256 || job.checkpointIteration === null) return null;
      await db.trainingMetric.deleteMany({ where: { jobId, iteration: { gt: job.checkpointIteration } } });
      const checkpoint = await deps.store.get(job.checkpointSha256);
      return { id: job.checkpointSha256.slice(0, 12), checkpoint, iteration: job.checkpointIteration, trainingSeconds: job.trainingSeconds };
    },
    async storeCheckpoint(bytes, iteration, trainingSeconds) {
      const { sha256 } = await deps.store.put(bytes);
      const previous = await db.trainingJob.findUnique({ where: { id: jobId }, select: { checkpointSha256: true } });
      await db.trainingJob.update({ where: { id: jobId }, data: { checkpointSha256: sha256, checkpointIteration: iteration, trainingSeconds } });
      if (previous?.checkpointSha256 && previous.checkpointSha256 !== sha256) await deps.store.delete(previous.checkpointSha256);
    },
    async shouldStop() {
      if (deps.signal.aborted) return deps.signal.reason === deps.shutdownReason ? 'handed-back' : 'cancelled';
      return (await isCancelRequested(redis, prefix, jobId)) ? 'cancelled' : null;
    },
    async flushMetrics(rows, v) {
      if (v) validation = v;
      const data = rows.map((r) => ({ jobId, iteration: r.iteration, metaLoss: r.metaLoss, accuracy: r.accuracy, tasksPerSecond: r.tasksPerSecond }));
      if (v) {
        const last = data.find((d) => d.iteration === v.iteration);
        const fields = { validationAccuracy: v.accuracy, validationCi95: v.ci95, validationLoss: v.loss };
        if (last) Object.assign(last, fields);
      }
      if (data.length > 0) await db.trainingMetric.createMany({ data, skipDuplicates: true });
      if (latest) await db.trainingJob.update({ where: { id: jobId }, data: { progress: progressJson() as unknown as Prisma.InputJsonValue } });
      if (v)
        await publishProgress(redis, prefix, jobId, { type: 'validation', iteration: v.iteration, accuracy: v.accuracy, ci95: v.ci95, loss: v.loss }).catch(
          () => 0,
        );
    },
    progress(p) {
      latest = p;
      const now = Date.now();
      if (now - lastProgress < PROGRESS_EVERY_MS && p.iteration !== p.iterations) return;
      lastProgress = now;
      void publishProgress(redis, prefix, jobId, {
        type: 'progress',
        ...p,
        metaLoss: Number.isFinite(p.metaLoss) ? p.metaLoss : null,
        etaSeconds: Number.isFinite(p.etaSeconds) ? p.etaSeconds : null,
      }).catch(() => 0);
    },
    async registerModel(checkpoint, metrics) {
      const model = await registerModel(db, deps.store, { name: deps.name, checkpoint, metrics, trainingJobId: jobId });
      await publishNotice(redis, prefix, { type: 'models-changed', modelId: model.id }); // the API replicas see the new version at once
      return model.id;
    },
  };
}
