/**
 * What HTTP tests of /adapt and /predict start from: a test API on a database of its own with the
 * test model registered, a blank 28×28 PNG the model accepts, and client keys on demand. `close`
 * stops the app and drops the database.
 */
import sharp from 'sharp';
import { createApiKey } from '../../src/api/auth/api-keys.ts';
import { buildTestApp, createTestDatabase, type TestApp } from './env.ts';
import { registerTestModel } from './models.ts';

export interface ServedApp {
  readonly t: TestApp;
  readonly png: Buffer;
  /** An Authorization header for a new key of that role. */
  auth(role?: 'client' | 'admin'): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/** A blank white 28×28 PNG. */
export function blankPng(): Promise<Buffer> {
  return sharp({ create: { width: 28, height: 28, channels: 3, background: '#ffffff' } })
    .png()
    .toBuffer();
}

export async function servedApp(env: Record<string, string> = {}): Promise<ServedApp> {
  const database = await createTestDatabase();
  const t = await buildTestApp(database.url, env);
  await registerTestModel(t.db, t.deps.store);
  return {
    t,
    png: await blankPng(),
    auth: async (role = 'client') => ({ authorization: `Bearer ${(await createApiKey(t.db, role)).key}` }),
    close: async () => {
      await t.close();
      await database.drop();
    },
  };
}
