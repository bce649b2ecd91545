/**
 * The API process's wiring, written once: the clients and services the app is built from
 * (PostgreSQL, Redis, the training queue, the artifact store, the inference pool, the model
 * catalog, the session store, dataset ingestion), and the order they are closed in.
 * src/api/server.ts and the tests' helper (test/helpers/env.ts) both build the API through
 * `wireApi` + `buildApp`.
 */
import type { Logger } from 'pino';
import type { Config } from '../shared/config.ts';
import { createDb } from '../shared/db/client.ts';
import { createTrainingQueue } from '../shared/jobs/queues.ts';
import { createApiRedis } from '../shared/redis.ts';
import { createArtifactStore, type ConfiguredStore } from '../shared/storage/create-artifact-store.ts';
import { buildApp, type AppDeps } from './app.ts';
import { ModelCatalog } from './inference/model-catalog.ts';
import { InferencePool } from './inference/pool.ts';
import { DatasetIngestion } from './ingestion/ingestion.ts';
import { SessionStore } from './sessions/store.ts';

export interface ApiWiringOptions {
  /** The TensorFlow.js backend this process selected (production) or a stand-in (tests). */
  readonly backend: { readonly name: string };
  /** Where connection errors are reported; without one they are dropped (tests). */
  readonly log?: Pick<Logger, 'warn'>;
  /** Warm the inference threads at start (default true). */
  readonly warmPool?: boolean;
  /** The inference threads' TensorFlow.js backend; defaults to the configured one (TFJS_BACKEND). */
  readonly inferenceBackend?: string;
}

export interface ApiWiring {
  readonly deps: AppDeps;
  readonly artifacts: ConfiguredStore;
  /** Closes everything `wireApi` opened, after the app (and its routes) stopped using it. */
  close(): Promise<void>;
}

export async function wireApi(config: Config, options: ApiWiringOptions): Promise<ApiWiring> {
  const { log } = options;
  const db = createDb(config.databaseUrl, { connectionTimeoutMs: config.databaseConnectTimeoutMs });
  const redis = createApiRedis(config.redisUrl, config.redisConnectTimeoutMs);
  redis.on('error', (error) => log?.warn({ err: error.message }, 'redis connection error'));
  const trainingQueue = createTrainingQueue(redis, config.queuePrefix);
  trainingQueue.on('error', (error) => log?.warn({ err: error.message }, 'training queue error'));
  const artifacts = await createArtifactStore(config.artifacts, config.weightsDir, config.databaseUrl);
  const { store } = artifacts;
  const pool = new InferencePool({
    threads: config.inferenceThreads,
    maxQueue: config.inferenceQueue,
    weightsDir: config.weightsDir,
    ensureWeights: (sha256) => artifacts.ensureLocal(sha256),
    backend: options.inferenceBackend ?? config.tfjsBackend,
    precision: config.thetaPrecision,
    ...(options.warmPool === false ? { warm: false } : {}),
  });
  const deps: AppDeps = {
    config,
    db,
    redis,
    trainingQueue,
    store,
    backend: options.backend,
    pool,
    catalog: new ModelCatalog(db, store),
    ingestion: new DatasetIngestion({ db, store, limits: config.datasets, maxImagePixels: config.maxImagePixels }),
    sessions: new SessionStore(redis, config.queuePrefix, config.sessionCacheBytes),
  };
  return {
    deps,
    artifacts,
    async close() {
      await deps.ingestion.close(); // before the database: jobs it cuts short are marked failed
      await pool.close();
      await trainingQueue.close().catch(() => undefined);
      redis.disconnect();
      await artifacts.close();
      await db.$disconnect();
    },
  };
}

/** The app over a fresh wiring; `close` stops the app first (in-flight requests finish), then the wiring. */
export async function createApi(config: Config, options: ApiWiringOptions) {
  const wiring = await wireApi(config, options);
  const app = await buildApp(wiring.deps);
  return {
    app,
    ...wiring,
    async close() {
      await app.close();
      await wiring.close();
    },
  };
}
