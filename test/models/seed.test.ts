import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { seedModels } from '../../src/shared/models/seed.ts';
import { CachedArtifactStore } from '../../src/shared/storage/cached-artifact-store.ts';
import { FsArtifactStore } from '../../src/shared/storage/fs-artifact-store.ts';
import { PgArtifactStore } from '../../src/shared/storage/pg-artifact-store.ts';
import { databaseForTest } from '../helpers/env.ts';
import { testCheckpoint } from '../helpers/models.ts';

test('shipped models are registered once, the default promoted, and re-stored on a machine that lacks them', async (t) => {
  const database = await databaseForTest(t);
  const { db } = database;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'models-'));
  await writeFile(path.join(dir, 'a.safetensors'), await testCheckpoint({ seed: 1 }));
  await writeFile(path.join(dir, 'b.safetensors'), await testCheckpoint({ seed: 2 }));
  await writeFile(path.join(dir, 'b.json'), JSON.stringify({ metrics: { test: { accuracy: 0.9 } } }));
  await writeFile(
    path.join(dir, 'manifest.json'),
    JSON.stringify([
      { file: 'a.safetensors', name: 'model-a' },
      { file: 'b.safetensors', name: 'model-b', default: true, metrics: 'b.json' },
    ]),
  );
  const store = new FsArtifactStore(await mkdtemp(path.join(os.tmpdir(), 'weights-')));
  assert.equal((await seedModels(db, store, dir)).length, 2);
  assert.equal((await seedModels(db, store, dir)).length, 0, 'idempotent');
  const models = await db.model.findMany({ orderBy: { name: 'asc' } });
  assert.deepEqual(
    models.map((m) => [m.name, m.isDefault]),
    [
      ['model-a', false],
      ['model-b', true],
    ],
  );
  assert.deepEqual(models[1]!.metrics, { test: { accuracy: 0.9 } });

  const otherMachine = new FsArtifactStore(await mkdtemp(path.join(os.tmpdir(), 'weights-')));
  await seedModels(db, otherMachine, dir);
  assert.equal(await otherMachine.has(models[0]!.weightsSha256), true);
});

test('replicas starting together register each shipped model once, its weights in the shared store', async (t) => {
  const database = await databaseForTest(t);
  const { db } = database;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'models-'));
  await writeFile(path.join(dir, 'a.safetensors'), await testCheckpoint({ seed: 3 }));
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify([{ file: 'a.safetensors', name: 'model-a', default: true }]));
  const shared = new PgArtifactStore(database.url);
  t.after(() => shared.close());
  const replica = async () => new CachedArtifactStore(new FsArtifactStore(await mkdtemp(path.join(os.tmpdir(), 'weights-'))), shared);
  const stores = await Promise.all([replica(), replica(), replica()]);
  const seeded = await Promise.all(stores.map((store) => seedModels(db, store, dir)));
  assert.equal(seeded.flat().length, 1);
  const models = await db.model.findMany();
  assert.equal(models.length, 1);
  assert.equal(models[0]!.isDefault, true);
  assert.equal(await db.artifact.count({ where: { sha256: models[0]!.weightsSha256 } }), 1);
  assert.match(models[0]!.weightsLocation, /^postgres:/);
});
