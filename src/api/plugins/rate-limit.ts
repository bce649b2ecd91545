/**
 * Per-key rate limiting, shared by every API replica: @fastify/rate-limit with a Redis store that
 * takes its tokens in leases (./rate-limit-store.ts: one counter per API key under QUEUE_PREFIX, a
 * one-minute window from the key's first request; most requests make no Redis round trip).
 * Beyond the limit: 429 RATE_LIMITED with Retry-After (seconds until the window ends). Every keyed
 * response carries RateLimit headers. Public routes (health, metrics, docs, capabilities) are not
 * limited. When Redis cannot be reached the request goes through (fail open): an outage must not
 * turn into a total refusal of service, and the routes that need Redis answer 503 themselves.
 */
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { HttpError } from '../../shared/errors.ts';
import { leasedRedisStore } from './rate-limit-store.ts';

export interface RateLimitOptions {
  readonly redis: Redis;
  /** Redis key prefix (QUEUE_PREFIX). */
  readonly keyPrefix: string;
  /** Requests per key per minute; 0 turns limiting off. */
  readonly perMinute: number;
}

const WINDOW_MS = 60_000;

export class RateLimitedError extends HttpError {
  constructor(
    readonly limit: number,
    readonly retryAfterSeconds: number,
  ) {
    super(429, 'RATE_LIMITED', `more than ${limit} requests a minute with this key; retry in ${retryAfterSeconds} s`, undefined, {
      'retry-after': String(retryAfterSeconds),
    });
  }
}

async function rateLimitPlugin(app: FastifyInstance, options: RateLimitOptions): Promise<void> {
  if (options.perMinute <= 0) return;
  await app.register(fastifyRateLimit, {
    global: true,
    // After auth (an onRequest hook): the key is known, and public routes have none.
    hook: 'preHandler',
    max: options.perMinute,
    timeWindow: WINDOW_MS,
    store: leasedRedisStore(options.redis, `${options.keyPrefix}:ratelimit:`),
    keyGenerator: (request) => request.apiKey?.id ?? '',
    allowList: (request) => !request.apiKey,
    skipOnError: true,
    enableDraftSpec: true, // ratelimit-limit, ratelimit-remaining, ratelimit-reset
    errorResponseBuilder: (_request, context) => new RateLimitedError(context.max, Math.max(1, Math.ceil(context.ttl / 1000))),
  });
}

export default fp(rateLimitPlugin, { name: 'rate-limit', dependencies: ['auth'] });
