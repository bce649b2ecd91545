/** The API process: `npm run start:api`. */
import { buildApp } from './app.ts';
import { loadConfigOrExit } from '../shared/config.ts';
import { createDb } from '../shared/db/client.ts';
import { createLogger } from '../shared/logger.ts';
import { createTrainingQueue } from '../shared/jobs/queues.ts';
import { createApiRedis } from '../shared/redis.ts';
import { onShutdownSignal } from '../shared/shutdown.ts';
import { createArtifactStore } from '../shared/storage/create-artifact-store.ts';
import { seedModels } from '../shared/models/seed.ts';
import { ModelCatalog } from './inference/model-catalog.ts';
import { InferencePool } from './inference/pool.ts';
import { SessionStore } from './sessions/store.ts';
import { selectBackend } from '../tf/backend.ts';

const config = loadConfigOrExit();
const log = createLogger(config, 'api');
const backend = await selectBackend(config.tfjsBackend);
log.info({ backend }, 'tensorflow.js backend selected');

const db = createDb(config.databaseUrl, { connectionTimeoutMs: config.redisConnectTimeoutMs });
const redis = createApiRedis(config.redisUrl, config.redisConnectTimeoutMs);
redis.on('error', (error) => log.warn({ err: error.message }, 'redis connection error'));
const trainingQueue = createTrainingQueue(redis, config.queuePrefix);
trainingQueue.on('error', (error) => log.warn({ err: error.message }, 'training queue error'));
const artifacts = await createArtifactStore(config.artifacts, config.weightsDir, config.databaseUrl);
const { store } = artifacts;
log.info({ store: config.artifacts.kind, weightsDir: config.weightsDir }, 'artifact store');
const swept = await artifacts.sweep().catch((error: unknown) => {
  log.warn({ err: (error as Error).message }, 'could not sweep the artifact store (the database may be down); continuing');
  return { localTemporaries: 0, unclaimedChunks: 0 };
});
const seeded = await seedModels(db, store, config.modelsDir).catch((error: unknown) => {
  log.warn({ err: (error as Error).message }, 'could not seed the shipped models (the database may be down); continuing');
  return [];
});
if (seeded.length) log.info({ seeded }, 'registered the models shipped in MODELS_DIR');
if (swept.localTemporaries || swept.unclaimedChunks) log.warn(swept, 'removed partial artifacts left by crashes or rolled-back uploads');

const pool = new InferencePool({
  threads: config.inferenceThreads,
  maxQueue: config.inferenceQueue,
  weightsDir: config.weightsDir,
  backend: config.tfjsBackend,
  precision: config.thetaPrecision,
});
const catalog = new ModelCatalog(db, store);
const sessions = new SessionStore(redis, config.queuePrefix, config.sessionCacheBytes);
const app = await buildApp({ config, db, redis, trainingQueue, store, backend, pool, catalog, sessions });
onShutdownSignal(
  async () => {
    await app.close(); // stops accepting, lets in-flight requests finish
    await pool.close();
    await trainingQueue.close();
    redis.disconnect();
    await artifacts.close();
    await db.$disconnect();
  },
  config.shutdownTimeoutMs,
  log,
);
await app.listen({ port: config.port, host: config.host });
