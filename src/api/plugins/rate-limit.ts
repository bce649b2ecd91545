/**
 * Per-key rate limiting, shared by every API replica: a fixed one-minute window per API key,
 * counted in Redis (INCR + PEXPIRE in one transaction). Beyond the limit: 429 RATE_LIMITED with
 * Retry-After (seconds to the next window). Every keyed response carries RateLimit headers.
 * Public routes (health, metrics, docs) are not limited. When Redis cannot be reached the request
 * goes through (fail open): an outage must not turn into a total refusal of service, and the
 * routes that need Redis answer 503 themselves.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { HttpError } from '../../shared/errors.ts';

export interface RateLimitOptions {
  readonly redis: Redis;
  /** Redis key prefix (QUEUE_PREFIX). */
  readonly keyPrefix: string;
  /** Requests per key per minute; 0 turns limiting off. */
  readonly perMinute: number;
}

const WINDOW_MS = 60_000;

export class RateLimitedError extends HttpError {
  constructor(readonly limit: number, readonly retryAfterSeconds: number) {
    super(429, 'RATE_LIMITED', `more than ${limit} requests a minute with this key; retry in ${retryAfterSeconds} s`, undefined, {
      'retry-after': String(retryAfterSeconds),
    });
  }
}

async function rateLimitPlugin(app: FastifyInstance, options: RateLimitOptions): Promise<void> {
  if (options.perMinute <= 0) return;
  const limit = options.perMinute;
  app.addHook('preHandler', async (request, reply) => {
    if (!request.apiKey) return; // public route
    const now = Date.now();
    const window = Math.floor(now / WINDOW_MS);
    const key = `${options.keyPrefix}:ratelimit:${request.apiKey.id}:${window}`;
    let count: number;
    try {
      const results = await options.redis.multi().incr(key).pexpire(key, WINDOW_MS * 2).exec();
      count = Number(results?.[0]?.[1]);
      if (!Number.isFinite(count)) throw results?.[0]?.[0] ?? new Error('no INCR result');
    } catch (error) {
      request.log.warn({ err: error }, 'rate limit not checked: redis unavailable');
      return;
    }
    const resetSeconds = Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000));
    reply.header('ratelimit-limit', String(limit));
    reply.header('ratelimit-remaining', String(Math.max(0, limit - count)));
    reply.header('ratelimit-reset', String(resetSeconds));
    if (count > limit) throw new RateLimitedError(limit, resetSeconds);
  });
}

export default fp(rateLimitPlugin, { name: 'rate-limit', dependencies: ['auth'] });
