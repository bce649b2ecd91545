/**
 * Meta-training jobs (admin): submit (202, queued in BullMQ), list, inspect, cancel.
 * The job row is written first and removed again if Redis refuses the queue entry, so a
 * submission either lands in both PostgreSQL and the queue or answers 503 and leaves nothing.
 */
import { randomInt } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { DatasetNotReadyError, findDataset } from '../../../shared/datasets/index.ts';
import type { Db } from '../../../shared/db/client.ts';
import { HttpError, NotFoundError } from '../../../shared/errors.ts';
import { isUploadedDataset, resolveTrainingConfig, TrainingConfigError } from '../../../shared/jobs/training-config.ts';
import { cancelKey, findJob, jobView } from '../../../shared/jobs/jobs.ts';
import { enqueueTrainingJob } from '../../../shared/jobs/queues.ts';
import { routeOptions } from '../../contract/route.ts';
import { cancelJobRoute, getJobRoute, listJobsRoute, submitJobRoute, type TrainingJob } from './schemas.ts';
import type { Static } from '../../contract/schema.ts';

/** A job row as the contract's TrainingJob (its config and progress are JSON columns the processor writes). */
const view = (...args: Parameters<typeof jobView>) => jobView(...args) as Static<typeof TrainingJob>;

export interface TrainingJobRoutesOptions {
  readonly db: Db;
  readonly redis: Redis;
  readonly queue: Queue;
  /** QUEUE_PREFIX: the cancel flags live under it, as every key (not `prefix`: fastify takes that for a route prefix). */
  readonly keyPrefix: string;
}

const CANCEL_FLAG_TTL_SECONDS = 7 * 24 * 3600;

export default async function trainingJobRoutes(fastify: FastifyInstance, options: TrainingJobRoutesOptions): Promise<void> {
  const { db, redis, queue, keyPrefix } = options;
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.route({
    ...routeOptions(submitJobRoute),
    handler: async (request, reply) => {
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
      return reply.status(202).send({ jobId: row.id, status: 'queued', config: { ...config } });
    },
  });

  app.route({
    ...routeOptions(listJobsRoute),
    handler: async (request) => {
      const { status, limit } = request.query;
      const jobs = await db.trainingJob.findMany({ where: status ? { status } : {}, orderBy: { createdAt: 'desc' }, take: limit });
      return { jobs: jobs.map((job) => view(job)) };
    },
  });

  app.route({
    ...routeOptions(getJobRoute),
    handler: async (request) => {
      const job = await findJob(db, request.params.id);
      if (!job) throw new NotFoundError('training job', request.params.id);
      return view(job);
    },
  });

  app.route({
    ...routeOptions(cancelJobRoute),
    handler: async (request, reply) => {
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
        return reply.status(200).send(view(cancelled));
      }
      // Running: the processor sees the flag within one iteration, keeps its checkpoint, and stops.
      return reply.status(202).send(view(job, true));
    },
  });
}
