/** Liveness and readiness: `/healthz` (process up) and `/readyz` (PostgreSQL and Redis reachable). */
import os from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Redis } from 'ioredis';
import { pingDb, type Db } from '../../../shared/db/client.ts';
import { pingRedis } from '../../../shared/redis.ts';
import { routeOptions } from '../../contract/route.ts';
import { healthRoute, readyRoute } from './schemas.ts';

export interface HealthRoutesOptions {
  readonly db: Db;
  readonly redis: Redis;
  readonly backend: { readonly name: string };
  /** REDIS_CONNECT_TIMEOUT_MS, DATABASE_CONNECT_TIMEOUT_MS: how long each check may take. */
  readonly timeoutMs: number;
  readonly dbTimeoutMs: number;
}

/** Which replica answered (host name and process id), for load-balancer checks and logs. */
const INSTANCE = `${os.hostname()}:${process.pid}`;

function within(ms: number, check: Promise<boolean>): Promise<boolean> {
  return Promise.race([check, new Promise<boolean>((resolve) => setTimeout(resolve, ms, false).unref())]);
}

export default async function healthRoutes(fastify: FastifyInstance, options: HealthRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.route({
    ...routeOptions(healthRoute),
    handler: async () => ({
      status: 'ok' as const,
      uptimeSeconds: Math.round(process.uptime()),
      backend: options.backend.name,
      instance: INSTANCE,
    }),
  });

  app.route({
    ...routeOptions(readyRoute),
    handler: async (_request, reply) => {
      const [postgres, redis] = await Promise.all([
        within(options.dbTimeoutMs, pingDb(options.db)),
        within(options.timeoutMs, pingRedis(options.redis, options.timeoutMs)),
      ]);
      const checks = { postgres: postgres ? 'up' : 'down', redis: redis ? 'up' : 'down' } as const;
      const ready = postgres && redis;
      if (!ready) reply.header('retry-after', '5');
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks });
    },
  });
}
