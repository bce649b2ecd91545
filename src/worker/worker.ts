/**
 * The worker process: `npm run start:worker`. Meta-training runs in a sandboxed BullMQ processor
 * (a worker thread with its own TensorFlow.js backend), so lock renewal on this thread never
 * starves. On SIGTERM/SIGINT active jobs are handed back: each is asked to stop (abort signal),
 * writes a checkpoint, and returns to the waiting list for any worker to resume. The wiring (the
 * BullMQ worker, what its processor opens) is src/worker/wiring.ts.
 */
import { loadConfigOrExit } from '../shared/config.ts';
import { createLogger } from '../shared/logger.ts';
import { TRAINING_QUEUE } from '../shared/jobs/queues.ts';
import { createWorkerRedis } from '../shared/redis.ts';
import { onShutdownSignal } from '../shared/shutdown.ts';
import { SHUTDOWN_REASON } from './training/processor-protocol.ts';
import { createTrainingWorker } from './wiring.ts';

const config = loadConfigOrExit();
const log = createLogger(config, 'worker');
const connection = createWorkerRedis(config.redisUrl);
connection.on('error', (error) => log.warn({ err: error.message }, 'redis connection error (retrying)'));

const worker = createTrainingWorker(config, connection);

worker.on('active', (job) => log.info({ jobId: job.id }, 'training job started'));
worker.on('completed', (job, result) => log.info({ jobId: job.id, result }, 'training job finished'));
worker.on('failed', (job, error) => log.warn({ jobId: job?.id, err: error.message }, 'training job failed'));
worker.on('error', (error) => log.warn({ err: error.message }, 'worker error'));
await worker.waitUntilReady();
log.info({ queue: TRAINING_QUEUE, prefix: config.queuePrefix, concurrency: config.workerConcurrency }, 'worker ready');

onShutdownSignal(
  async () => {
    worker.cancelAllJobs(SHUTDOWN_REASON);
    await worker.close();
    connection.disconnect();
  },
  config.shutdownTimeoutMs,
  log,
);
