/**
 * Queue names and the API-side producers (fail fast while Redis is down; see src/shared/redis.ts).
 * BullMQ refuses a command itself (its ConnectionClosedError) while its connection is not ready:
 * `enqueueTrainingJob` converts that, as the client converts its own failures.
 */
import { ConnectionClosedError, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { DependencyUnavailableError } from '../errors.ts';

export const TRAINING_QUEUE = 'training';

export function createTrainingQueue(connection: Redis, prefix: string): Queue {
  return new Queue(TRAINING_QUEUE, { connection, prefix, skipVersionCheck: true });
}

/** Queues a training job under its row's id; Redis down rejects with `DependencyUnavailableError('redis')`. */
export async function enqueueTrainingJob(queue: Queue, jobId: string): Promise<void> {
  try {
    await queue.add('meta-train', { jobId }, { jobId, removeOnComplete: 1000, removeOnFail: 1000 });
  } catch (error) {
    throw error instanceof ConnectionClosedError ? new DependencyUnavailableError('redis', error) : error;
  }
}
