/**
 * Redis connections. The API side fails fast (no offline queue: a command while Redis is down
 * errors at once, so requests answer 503 instead of hanging) but keeps reconnecting in the
 * background, so it recovers by itself. The worker side queues and retries forever (BullMQ's
 * requirement for workers: maxRetriesPerRequest null).
 *
 * The API's client converts its failures where ioredis raises them: a command that got no reply
 * from the server (not writable, connection closed, timed out, retries exhausted) rejects with
 * `DependencyUnavailableError('redis')`; a reply the server sent as an error (`ReplyError`: a
 * wrong type, a Lua error) stays what it is, a bug. Duplicates (subscribers) convert the same way.
 */
import { type Command, Redis, type RedisOptions, ReplyError } from 'ioredis';
import { DependencyUnavailableError } from './errors.ts';

const reconnectForever: RedisOptions['retryStrategy'] = (attempt) => Math.min(100 * 2 ** Math.min(attempt, 5), 2_000);

/** Converts a command's rejection: no reply from the server means Redis is unavailable. */
export function classifyRedisError(error: Error): Error {
  return error instanceof ReplyError || error instanceof DependencyUnavailableError ? error : new DependencyUnavailableError('redis', error);
}

/** An ioredis client whose commands (pipelines and BullMQ's scripts included) reject with typed errors. */
export class ClassifiedRedis extends Redis {
  override sendCommand(command: Command, stream?: Parameters<Redis['sendCommand']>[1]): unknown {
    const reject = command.reject;
    command.reject = (error: Error) => reject(classifyRedisError(error));
    return super.sendCommand(command, stream);
  }

  override duplicate(override?: Partial<RedisOptions>): Redis {
    return new ClassifiedRedis({ ...this.options, ...override });
  }
}

export function createApiRedis(url: string, connectTimeoutMs: number): Redis {
  return new ClassifiedRedis(url, {
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
