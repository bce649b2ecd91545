/**
 * Redis connections. The API side fails fast (no offline queue: a command while Redis is down
 * errors at once, so requests answer 503 instead of hanging) but keeps reconnecting in the
 * background, so it recovers by itself. The worker side queues and retries forever (BullMQ's
 * requirement for workers: maxRetriesPerRequest null).
 */
import { Redis, type RedisOptions } from 'ioredis';

const reconnectForever: RedisOptions['retryStrategy'] = (attempt) => Math.min(100 * 2 ** Math.min(attempt, 5), 2_000);

export function createApiRedis(url: string, connectTimeoutMs: number): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: connectTimeoutMs,
    commandTimeout: connectTimeoutMs,
    retryStrategy: reconnectForever,
    lazyConnect: false,
  });
}

export function createWorkerRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, retryStrategy: reconnectForever });
}

/** True when Redis answers PING; a connection still being (re)established gets `waitMs` to become ready. */
export async function pingRedis(redis: Redis, waitMs = 0): Promise<boolean> {
  if (redis.status !== 'ready' && waitMs > 0 && ['connecting', 'connect', 'reconnecting'].includes(redis.status)) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, waitMs);
      timer.unref();
      function done() {
        clearTimeout(timer);
        redis.off('ready', done);
        resolve();
      }
      redis.once('ready', done);
    });
  }
  if (redis.status !== 'ready') return false;
  try {
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  }
}
