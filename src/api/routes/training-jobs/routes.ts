/**
 * Meta-training jobs (admin): submit (202, queued in BullMQ), list, inspect, cancel.
 * The job row is written first and removed again if Redis refuses the queue entry, so a
 * submission either lands in both PostgreSQL and the queue or answers 503 and leaves nothing.
 */
import { randomInt } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { DatasetNotReadyError, findDataset } from '../../../shared/datasets/index.ts';
import type { Db } from '../../../shared/db/client.ts';
import type { JobStatus } from '../../../generated/prisma/client.ts';
import { HttpError, NotFoundError } from '../../../shared/errors.ts';
import { isUploadedDataset, resolveTrainingConfig, TrainingConfigError, type TrainingConfigInput } from '../../../shared/jobs/training-config.ts';
import { cancelKey, findJob, jobView } from '../../../shared/jobs/jobs.ts';
import { enqueueTrainingJob } from '../../../shared/jobs/queues.ts';
import { cancelJobSchema, createJobSchema, getJobSchema, listJobsSchema } from './schemas.ts';

export interface TrainingJobRoutesOptions {
  readonly db: Db;
  readonly redis: Redis;
  readonly queue: Queue;
  /** QUEUE_PREFIX: the cancel flags live under it, as every key (not `prefix`: fastify takes that for a route prefix). */
  readonly keyPrefix: string;
}

const CANCEL_FLAG_TTL_SECONDS = 7 * 24 * 3600;

export default async function trainingJobRoutes(app: FastifyInstance, options: TrainingJobRoutesOptions): Promise<void> {
  const { db, redis, queue, keyPrefix } = options;

  app.post<{ Body: TrainingConfigInput }>('/training-jobs', { config: { auth: 'admin' }, schema: createJobSchema }, async (request, reply) => {
    let config;
    try {
      config = resolveTrainingConfig(request.body, () => randomInt(2 ** 31 - 1));
    } catch (error) {
      if (error instanceof TrainingConfigError) throw new HttpError(400, 'VALIDATION_ERROR', `body/${error.message}`);
      throw error;
    }
    if (isUploadedDataset(config.dataset)) {
      const dataset = await findDataset(db, config.dataset);
      if (!dataset) throw new HttpError(400, 'VALIDATION_ERROR', `body/dataset: no uploaded dataset ${config.dataset}`);
      if (dataset.status !== 'ready') throw new DatasetNotReadyError(dataset.id, dataset.status);
    }
    const row = await db.trainingJob.create({
      data: { name: config.name, config: config as object, progress: { iteration: 0, iterations: config.iterations } },
    });
    try {
      await enqueueTrainingJob(queue, row.id);
    } catch (error) {
      await db.trainingJob.delete({ where: { id: row.id } }).catch(() => undefined);
      throw error;
    }
    return reply.status(202).send({ jobId: row.id, status: 'queued', config });
  });

  app.get<{ Querystring: { status?: JobStatus; limit: number } }>(
    '/training-jobs',
    { config: { auth: 'admin' }, schema: listJobsSchema },
    async (request) => {
      const { status, limit } = request.query;
      const jobs = await db.trainingJob.findMany({ where: status ? { status } : {}, orderBy: { createdAt: 'desc' }, take: limit });
      return { jobs: jobs.map((job) => jobView(job)) };
    },
  );

  app.get<{ Params: { id: string } }>('/training-jobs/:id', { config: { auth: 'admin' }, schema: getJobSchema }, async (request) => {
    const job = await findJob(db, request.params.id);
    if (!job) throw new NotFoundError('training job', request.params.id);
    return jobView(job);
  });

  app.delete<{ Params: { id: string } }>('/training-jobs/:id', { config: { auth: 'admin' }, schema: cancelJobSchema }, async (request, reply) => {
    const id = request.params.id;
    const job = await findJob(db, id);
    if (!job) throw new NotFoundError('training job', id);
    if (job.status === 'completed' || job.status === 'failed' || job.status === 'cancelled') {
      throw new HttpError(409, 'JOB_FINISHED', `training job ${id} is already ${job.status}`);
    }
    // Redis down: its commands reject with DependencyUnavailableError (src/shared/redis.ts).
    await redis.set(cancelKey(keyPrefix, id), '1', 'EX', CANCEL_FLAG_TTL_SECONDS);
    const entry = await queue.getJob(id);
    const state = entry ? await entry.getState() : 'unknown';
    if (state === 'waiting' || state === 'delayed' || state === 'prioritized' || state === 'unknown') {
      if (entry) await entry.remove();
      const cancelled = await db.trainingJob.update({
        where: { id },
        data: { status: 'cancelled', finishedAt: new Date(), error: null },
      });
      return reply.status(200).send(jobView(cancelled));
    }
    // Running: the processor sees the flag within one iteration, keeps its checkpoint, and stops.
    return reply.status(202).send(jobView(job, true));
  });
}
