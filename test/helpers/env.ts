/**
 * Test infrastructure: a fresh, migrated PostgreSQL database per test file (dropped afterwards),
 * the local Redis, and the app built from them. Base URLs come from TEST_DATABASE_URL /
 * TEST_REDIS_URL (defaults: the local services CI starts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { AppDeps, buildApp } from '../../src/api/app.ts';
import { createApi } from '../../src/api/wiring.ts';
import { loadConfig, type Config } from '../../src/shared/config.ts';
import { createDb, type Db } from '../../src/shared/db/client.ts';
import { migrate } from '../../src/shared/db/migrate.ts';

export const BASE_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../prisma/migrations');

export function databaseUrlFor(name: string): string {
  const url = new URL(BASE_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Creates and migrates `maml_test_<random>`; returns its URL and a function that drops it. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `maml_test_${Math.random().toString(36).slice(2, 10)}`;
  const url = databaseUrlFor(name);
  await migrate(url, MIGRATIONS_DIR);
  return {
    url,
    drop: async () => {
      const admin = new pg.Client({ connectionString: databaseUrlFor('postgres') });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** A fresh migrated database and a client for it, both gone when the test `t` ends. */
export async function databaseForTest(t: { after(fn: () => Promise<void>): void }): Promise<{ url: string; db: Db }> {
  const database = await createTestDatabase();
  const db = createDb(database.url);
  t.after(async () => {
    await db.$disconnect();
    await database.drop();
  });
  return { url: database.url, db };
}

export interface TestApp {
  readonly app: Awaited<ReturnType<typeof buildApp>>;
  readonly deps: AppDeps;
  readonly db: Db;
  close(): Promise<void>;
}

/** Builds the app against the given database and Redis; `env` overrides configuration. */
export async function buildTestApp(databaseUrl: string, env: Record<string, string> = {}): Promise<TestApp> {
  const weightsDir = await mkdtemp(path.join(os.tmpdir(), 'maml-weights-'));
  const config: Config = loadConfig({
    DATABASE_URL: databaseUrl,
    REDIS_URL: REDIS_URL,
    WEIGHTS_DIR: weightsDir,
    LOG_LEVEL: 'silent',
    INFERENCE_THREADS: '1',
    REDIS_CONNECT_TIMEOUT_MS: '500',
    DATABASE_CONNECT_TIMEOUT_MS: '1000',
    QUEUE_PREFIX: `test-${Math.random().toString(36).slice(2, 10)}`,
    ...env,
  });
  // The production wiring (src/api/wiring.ts): only the backend stand-in and cold wasm threads differ.
  const { app, deps, close } = await createApi(config, { backend: { name: 'test' }, warmPool: false, inferenceBackend: 'wasm' });
  return {
    app,
    deps,
    db: deps.db,
    async close() {
      await close();
      await rm(weightsDir, { recursive: true, force: true });
    },
  };
}
