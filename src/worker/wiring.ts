/**
 * The worker process's wiring, written once: the BullMQ worker over the training queue (its
 * processor runs sandboxed in a worker thread), and what that processor opens in its thread
 * (configuration, backend, PostgreSQL, artifact store, Redis). src/worker/worker.ts and
 * src/worker/training/processor.ts use these; tests run that entry as a process.
 */
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { loadConfig, type Config } from '../shared/config.ts';
import { createDb, type Db } from '../shared/db/client.ts';
import { TRAINING_QUEUE } from '../shared/jobs/queues.ts';
import { createWorkerRedis } from '../shared/redis.ts';
import type { ArtifactStore } from '../shared/storage/artifact-store.ts';
import { createArtifactStore } from '../shared/storage/create-artifact-store.ts';
import { selectBackend } from '../tf/backend.ts';

const PROCESSOR_FILE = new URL('./training/processor-entry.mjs', import.meta.url);

/** The training queue's worker: `connection` is the worker process's Redis (createWorkerRedis). */
export function createTrainingWorker(config: Config, connection: Redis): Worker {
  return new Worker(TRAINING_QUEUE, PROCESSOR_FILE, {
    connection,
    prefix: config.queuePrefix,
    concurrency: config.workerConcurrency,
    useWorkerThreads: true,
    // A stalled job (its worker died) goes back to the waiting list and resumes from its checkpoint.
    lockDuration: config.workerLockMs,
    stalledInterval: config.workerStalledIntervalMs,
    maxStalledCount: 5,
    skipVersionCheck: true,
  });
}

/** What the sandboxed processor works with, opened once per processor thread. */
export interface TrainingResources {
  readonly config: Config;
  readonly db: Db;
  readonly store: ArtifactStore;
  readonly redis: Redis;
  readonly backend: string;
}

export async function openTrainingResources(env: NodeJS.ProcessEnv = process.env): Promise<TrainingResources> {
  const config = loadConfig(env);
  const backend = await selectBackend(config.tfjsBackend);
  const db = createDb(config.databaseUrl);
  const { store } = await createArtifactStore(config.artifacts, config.weightsDir, config.databaseUrl);
  return { config, db, store, redis: createWorkerRedis(config.redisUrl), backend: backend.name };
}
