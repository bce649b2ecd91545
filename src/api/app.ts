/**
 * Builds the fastify app from its dependencies without listening (tests use `app.inject`;
 * src/api/server.ts listens). Every external client is created by the caller and passed in.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../shared/config.ts';
import type { Db } from '../shared/db/client.ts';
import { loggerOptions } from '../shared/logger.ts';
import type { ArtifactStore } from '../shared/storage/artifact-store.ts';
import { HttpError } from '../shared/errors.ts';
import authPlugin from './plugins/auth.ts';
import consolePlugin, { CONSOLE_DIR } from './plugins/console.ts';
import docsPlugin from './plugins/docs.ts';
import { contractLimits } from './routes/contracts.ts';
import type { RouteContract } from './contract/route.ts';
import errorHandlerPlugin, { frameworkErrorReply } from './plugins/error-handler.ts';
import metricsPlugin from './plugins/metrics.ts';
import rateLimitPlugin from './plugins/rate-limit.ts';
import clusterNoticesPlugin from './plugins/cluster-notices.ts';
import { publishNotice } from '../shared/cluster/notices.ts';
import { RedisSubscriber } from '../shared/redis-subscriber.ts';
import capabilitiesRoutes from './routes/capabilities/routes.ts';
import healthRoutes from './routes/health/routes.ts';
import modelRoutes from './routes/models/routes.ts';
import modelManageRoutes from './routes/models/manage.ts';
import trainingJobRoutes from './routes/training-jobs/routes.ts';
import trainingJobEventRoutes from './routes/training-jobs/events.ts';
import trainingJobCurveRoutes from './routes/training-jobs/curve.ts';
import datasetRoutes from './routes/datasets/routes.ts';
import sessionRoutes from './routes/sessions/routes.ts';
import keyRoutes from './routes/keys/routes.ts';
import multipart from '@fastify/multipart';
import { AJV_OPTIONS } from './contract/validation.ts';
import type { ModelCatalog } from './inference/model-catalog.ts';
import type { InferencePool } from './inference/pool.ts';
import type { SessionStore } from './sessions/store.ts';
import type { DatasetIngestion } from './ingestion/ingestion.ts';

export interface AppDeps {
  readonly config: Config;
  readonly db: Db;
  readonly redis: Redis;
  readonly trainingQueue: Queue;
  readonly store: ArtifactStore;
  readonly backend: { readonly name: string };
  readonly pool: InferencePool;
  readonly catalog: ModelCatalog;
  readonly sessions: SessionStore;
  readonly ingestion: DatasetIngestion;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered, with its contract (for the openapi tests); `hidden` ones are internal. */
    routeTable: { method: string; url: string; hidden: boolean; contract: RouteContract | undefined }[];
    /** The app's one Redis subscriber connection (tests check streams leave no subscription behind). */
    redisSubscriber: RedisSubscriber;
  }
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    logger: loggerOptions(config, 'api'),
    bodyLimit: config.bodyLimitBytes,
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
    forceCloseConnections: 'idle',
    frameworkErrors: frameworkErrorReply,
    return503OnClosing: false, // our own 503 below, in the JSON error shape
    ajv: AJV_OPTIONS,
  });
  const routeTable: FastifyInstance['routeTable'] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const hidden = Boolean((route.schema as { hide?: boolean } | undefined)?.hide) || route.url.startsWith('/docs');
    for (const method of methods) if (method !== 'HEAD') routeTable.push({ method, url: route.url, hidden, contract: route.config?.contract });
  });
  // While closing, requests already being handled finish (their connections then close); new ones
  // arriving on kept-alive connections are refused with a 503 to retry elsewhere.
  let closing = false;
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (closing) reply.header('connection', 'close');
  });
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async () => {
    if (closing)
      throw new HttpError(503, 'SHUTTING_DOWN', 'the server is shutting down; retry (another replica or in a moment)', undefined, {
        'retry-after': '1',
        connection: 'close',
      });
  });

  await app.register(errorHandlerPlugin);
  await app.register(multipart, {
    limits: { fileSize: config.maxFileBytes, files: config.maxFiles + 1, fields: 20, fieldSize: 1_000_000, parts: config.maxFiles + 21 },
  });
  await app.register(authPlugin, { db: deps.db, disabled: config.authDisabled });
  await app.register(rateLimitPlugin, { redis: deps.redis, keyPrefix: config.queuePrefix, perMinute: config.rateLimitPerMinute });
  await app.register(metricsPlugin, { queues: [deps.trainingQueue], pool: () => deps.pool.stats });
  await app.register(docsPlugin, { limits: contractLimits(config) });
  // One subscriber connection for everything this app listens to (cluster notices, event streams).
  const subscriber = new RedisSubscriber(deps.redis, config.redisConnectTimeoutMs, `${config.queuePrefix}:api-subscriber`);
  app.decorate('redisSubscriber', subscriber);
  app.addHook('onClose', async () => subscriber.close());
  await app.register(clusterNoticesPlugin, { subscriber, prefix: config.queuePrefix, catalog: deps.catalog, sessions: deps.sessions });
  const announceModel = async (modelId: string) => {
    deps.catalog.invalidate();
    await publishNotice(deps.redis, config.queuePrefix, { type: 'models-changed', modelId });
  };
  await app.register(consolePlugin, { root: CONSOLE_DIR });
  await app.register(healthRoutes, {
    db: deps.db,
    redis: deps.redis,
    backend: deps.backend,
    timeoutMs: config.redisConnectTimeoutMs,
    dbTimeoutMs: config.databaseConnectTimeoutMs,
  });
  await app.register(capabilitiesRoutes);
  await app.register(modelRoutes, { db: deps.db });
  await app.register(modelManageRoutes, { db: deps.db, store: deps.store, maxModelBytes: config.maxModelBytes, announce: announceModel });
  await app.register(sessionRoutes, { config, catalog: deps.catalog, pool: deps.pool, sessions: deps.sessions, db: deps.db });
  await app.register(trainingJobRoutes, { db: deps.db, redis: deps.redis, queue: deps.trainingQueue, keyPrefix: config.queuePrefix });
  await app.register(trainingJobEventRoutes, { db: deps.db, subscriber, channelPrefix: config.queuePrefix, heartbeatMs: config.sseHeartbeatMs });
  await app.register(trainingJobCurveRoutes, { db: deps.db });
  await app.register(keyRoutes, { db: deps.db });
  await app.register(datasetRoutes, {
    db: deps.db,
    store: deps.store,
    ingestion: deps.ingestion,
    limits: config.datasets,
    maxImagePixels: config.maxImagePixels,
  });
  return app;
}
