/** Training-job records and their queue entries: shared by the API routes and the worker. */
import type { Redis } from 'ioredis';
import type { Db } from '../db/client.ts';
import type { TrainingJob } from '../../generated/prisma/client.ts';

/**
 * Redis key (under QUEUE_PREFIX, as every key) the processor polls once per iteration; set by
 * DELETE /training-jobs/:id. Why a flag and not BullMQ's own cancellation (bullmq 6.7): its
 * `worker.cancelJob` aborts the processor's AbortSignal (which the processor already obeys, for
 * the hand-back at shutdown) only in the process that runs the job, and its cross-process
 * delivery, the Relay, is marked experimental and drops a request for a job that is not running
 * when it arrives (queued, or handed back at a worker's shutdown and resumed later). The flag
 * lasts a week and is read when the job starts or resumes, so a 202 "cancel requested" holds.
 */
export const cancelKey = (prefix: string, jobId: string) => `${prefix}:training:cancel:${jobId}`;

export async function isCancelRequested(redis: Redis, prefix: string, jobId: string): Promise<boolean> {
  return (await redis.exists(cancelKey(prefix, jobId))) === 1;
}

export function jobView(job: TrainingJob, cancelRequested = false) {
  return {
    jobId: job.id,
    name: job.name,
    status: job.status,
    ...(cancelRequested ? { cancelRequested } : {}),
    config: job.config as Record<string, unknown>,
    progress: job.progress as Record<string, unknown>,
    error: job.error,
    modelId: job.modelId,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

export async function findJob(db: Db, id: string): Promise<TrainingJob | null> {
  return db.trainingJob.findUnique({ where: { id } });
}
