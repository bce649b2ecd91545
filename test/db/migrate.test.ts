import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrate, MigrationChecksumError } from '../../src/shared/db/migrate.ts';
import { createTestDatabase, MIGRATIONS_DIR } from '../helpers/env.ts';

test('migrations apply to an empty database, then are recorded and not re-applied', async (t) => {
  const database = await createTestDatabase(); // applies them once
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  t.after(async () => {
    await client.end();
    await database.drop();
  });
  const tables = await client.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
  assert.deepEqual(
    tables.rows.map((r) => r.tablename),
    ['ApiKey', 'Artifact', 'ArtifactChunk', 'Dataset', 'Model', 'TrainingJob', 'TrainingMetric', '_prisma_migrations'],
  );
  const again = await migrate(database.url, MIGRATIONS_DIR);
  assert.deepEqual(again.applied, []);
  assert.ok(again.alreadyApplied.length >= 1);
  const recorded = await client.query(`SELECT migration_name, finished_at FROM "_prisma_migrations"`);
  assert.equal(recorded.rowCount, again.alreadyApplied.length);
  assert.ok(recorded.rows.every((r) => r.finished_at !== null));
});

test('a migration edited after it was applied is refused', async (t) => {
  const database = await createTestDatabase();
  t.after(database.drop);
  const copy = await mkdtemp(path.join(os.tmpdir(), 'migrations-'));
  await cp(MIGRATIONS_DIR, copy, { recursive: true });
  const first = (await migrate(database.url, copy)).alreadyApplied[0]!;
  await appendFile(path.join(copy, first, 'migration.sql'), '\n-- edited\n');
  await assert.rejects(migrate(database.url, copy), MigrationChecksumError);
});

test('a failing migration rolls back completely and is not recorded', async (t) => {
  const database = await createTestDatabase();
  const copy = await mkdtemp(path.join(os.tmpdir(), 'migrations-'));
  await cp(MIGRATIONS_DIR, copy, { recursive: true });
  await mkdir(path.join(copy, '99999999999999_broken'));
  await writeFile(path.join(copy, '99999999999999_broken', 'migration.sql'), 'CREATE TABLE half_done (id int);\nSELECT no_such_function();\n');
  await assert.rejects(migrate(database.url, copy), /99999999999999_broken failed/);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  t.after(async () => {
    await client.end();
    await database.drop();
  });
  const half = await client.query(`SELECT 1 FROM pg_tables WHERE tablename = 'half_done'`);
  assert.equal(half.rowCount, 0);
  const recorded = await client.query(`SELECT 1 FROM "_prisma_migrations" WHERE migration_name = '99999999999999_broken'`);
  assert.equal(recorded.rowCount, 0);
});
