/** The service as the browser tests use it: the real API process (and optionally a worker) on a fresh database, with a key. */
import type { TestContext } from 'node:test';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createApiKey, type Role } from '../../src/api/auth/api-keys.ts';
import { createDb } from '../../src/shared/db/client.ts';
import { createTestDatabase, REDIS_URL } from './env.ts';
import { freePort, spawnEntry, waitForStatus, type Spawned } from './processes.ts';

export interface ConsoleService {
  readonly base: string;
  readonly key: string;
  readonly api: Spawned;
}

/** Starts the API (the shipped models registered on start-up) and, with `worker`, a training worker; all stopped after the test. */
export async function startConsoleService(t: TestContext, role: Role, options: { worker?: boolean } = {}): Promise<ConsoleService> {
  const database = await createTestDatabase();
  t.after(database.drop);
  const port = await freePort();
  const dataDir = path.join(os.tmpdir(), `maml-console-e2e-${port}`);
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL,
    WEIGHTS_DIR: path.join(dataDir, 'weights'),
    CACHE_DIR: path.join(dataDir, 'cache'),
    QUEUE_PREFIX: `console-e2e-${port}`,
    LOG_LEVEL: 'warn',
    TFJS_BACKEND: 'wasm',
  };
  const api = spawnEntry('src/api/server.ts', { ...env, PORT: String(port), HOST: '127.0.0.1', INFERENCE_THREADS: '1' });
  t.after(() => api.child.kill('SIGKILL'));
  if (options.worker) {
    const worker = spawnEntry('src/worker/worker.ts', { ...env, TRAINING_THREADS: '1' });
    t.after(() => worker.child.kill('SIGKILL'));
  }
  const base = `http://127.0.0.1:${port}`;
  await waitForStatus(`${base}/readyz`, 200, 30_000);
  const db = createDb(database.url);
  const key = (await createApiKey(db, role)).key;
  await db.$disconnect();
  return { base, key, api };
}
