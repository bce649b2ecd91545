/** Queue names and the API-side producers (fail fast while Redis is down; see src/shared/redis.ts). */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export const TRAINING_QUEUE = 'training';

export function createTrainingQueue(connection: Redis, prefix: string): Queue {
  return new Queue(TRAINING_QUEUE, { connection, prefix, skipVersionCheck: true });
}
