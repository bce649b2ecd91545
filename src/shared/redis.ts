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
import { Command, Redis, type RedisOptions, ReplyError } from 'ioredis';
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

/**
 * `SET key value EX ttl` whose value goes to the socket as a chunk of its own. ioredis encodes a
 * command with a Buffer argument by copying all its arguments into one new buffer; for a value of
 * hundreds of KB that allocation costs more than the command where touching fresh pages is slow
 * (this VM, nested virtualisation: a 230 KB SET over a raw socket 0.13 ms, 1.05 ms when the bytes
 * are first copied into a new buffer). Here the framing and the value are written to the corked
 * socket (the value by reference, never copied in this process) and the socket is uncorked on the
 * next tick, so they leave, with whatever else this tick sends, in one writev. ioredis itself
 * subclasses Command and overrides toWritable for its scripts (Script.js).
 * Invariants: the value does not change until the promise settles; the command is sent on its own,
 * never in a pipeline (whose stream is not the socket toWritable is given); the key is used as
 * given (ioredis's keyPrefix option, unused here, is not applied). A socket that cannot cork gets
 * ioredis's own encoding.
 */
class SetValueCommand extends Command {
  constructor(
    private readonly key: string,
    private readonly value: Uint8Array,
    private readonly ttlSeconds: number,
  ) {
    super('set', [key, Buffer.from(value.buffer, value.byteOffset, value.byteLength), 'EX', String(ttlSeconds)], { replyEncoding: 'utf8' });
  }

  override toWritable(socket: object): string | Buffer {
    const stream = socket as Partial<Pick<import('node:net').Socket, 'cork' | 'uncork' | 'write'>>;
    if (typeof stream.cork !== 'function' || typeof stream.uncork !== 'function' || typeof stream.write !== 'function') return super.toWritable(socket);
    const ttl = String(this.ttlSeconds);
    stream.cork();
    stream.write(`*5\r\n$3\r\nSET\r\n$${Buffer.byteLength(this.key)}\r\n${this.key}\r\n$${this.value.byteLength}\r\n`);
    stream.write(this.value);
    process.nextTick(() => stream.uncork!());
    return `\r\n$2\r\nEX\r\n$${ttl.length}\r\n${ttl}\r\n`; // ioredis writes it, still corked
  }
}

/** SET `key` to `value` expiring after `ttlSeconds`, without copying `value` (SetValueCommand). */
export function setValue(redis: Redis, key: string, value: Uint8Array, ttlSeconds: number): Promise<unknown> {
  const command = new SetValueCommand(key, value, ttlSeconds);
  redis.sendCommand(command);
  return command.promise;
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
