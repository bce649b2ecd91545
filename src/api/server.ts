/** The API process: `npm run start:api`. Its dependencies come from src/api/wiring.ts (as the tests' do). */
import { buildApp } from './app.ts';
import { loadConfigOrExit } from '../shared/config.ts';
import { createLogger } from '../shared/logger.ts';
import { onShutdownSignal } from '../shared/shutdown.ts';
import { seedModels } from '../shared/models/seed.ts';
import { selectBackend } from '../tf/backend.ts';
import { wireApi } from './wiring.ts';

const config = loadConfigOrExit();
const log = createLogger(config, 'api');
const backend = await selectBackend(config.tfjsBackend);
log.info({ backend }, 'tensorflow.js backend selected');

const { deps, artifacts, close } = await wireApi(config, { backend, log });
const { db, store } = deps;
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

const app = await buildApp(deps);
onShutdownSignal(
  async () => {
    await app.close(); // stops accepting, lets in-flight requests finish
    await close();
  },
  config.shutdownTimeoutMs,
  log,
);
await app.listen({ port: config.port, host: config.host });
