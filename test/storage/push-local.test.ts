import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { registerModel } from '../../src/shared/models/registry.ts';
import { FsArtifactStore } from '../../src/shared/storage/fs-artifact-store.ts';
import { PgArtifactStore } from '../../src/shared/storage/pg-artifact-store.ts';
import { pushLocalArtifacts } from '../../src/shared/storage/push-local.ts';
import { databaseForTest } from '../helpers/env.ts';
import { testCheckpoint } from '../helpers/models.ts';

test('an install moving from the filesystem store pushes what its rows refer to, once', async (t) => {
  const database = await databaseForTest(t);
  const { db } = database;
  const local = new FsArtifactStore(await mkdtemp(path.join(os.tmpdir(), 'weights-')));
  const a = await registerModel(db, local, { name: 'a', checkpoint: await testCheckpoint({ seed: 1 }) });
  const b = await registerModel(db, local, { name: 'b', checkpoint: await testCheckpoint({ seed: 2 }) });
  await local.delete(b.weightsSha256); // lost on this machine too
  const shared = new PgArtifactStore(database.url);
  t.after(() => shared.close());
  const first = await pushLocalArtifacts(db, local, shared);
  assert.deepEqual(first, { referenced: 2, pushed: [a.weightsSha256], alreadyShared: 0, missing: [b.weightsSha256] });
  assert.deepEqual(await shared.get(a.weightsSha256), await local.get(a.weightsSha256));
  const again = await pushLocalArtifacts(db, local, shared);
  assert.deepEqual(again, { referenced: 2, pushed: [], alreadyShared: 1, missing: [b.weightsSha256] });
});
