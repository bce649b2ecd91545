/**
 * A model's checkpoint metadata lives in its registry row (src/shared/models/metadata.ts): serving
 * reads it from there, never from the weights; rows from before the column are filled from the
 * weights file's header once, reading only the header's bytes.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ModelCatalog } from '../../src/api/inference/model-catalog.ts';
import { decodeCheckpoint } from '../../src/core/checkpoint/index.ts';
import { Prisma } from '../../src/generated/prisma/client.ts';
import type { ArtifactStore } from '../../src/shared/storage/artifact-store.ts';
import { FsArtifactStore } from '../../src/shared/storage/fs-artifact-store.ts';
import { databaseForTest } from '../helpers/env.ts';
import { registerTestModel, testCheckpoint } from '../helpers/models.ts';

async function fsStore(t: { after(fn: () => Promise<void>): void }): Promise<FsArtifactStore> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'maml-metadata-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return new FsArtifactStore(dir);
}

/** The store, counting the bytes its streams hand out and refusing whole-file reads. */
function counting(store: ArtifactStore) {
  const counter = { bytes: 0 };
  const wrapped: ArtifactStore = Object.create(store);
  wrapped.get = () => Promise.reject(new Error('the whole file was read'));
  wrapped.stream = async (sha256) => {
    const source = await store.stream(sha256);
    return Readable.from(
      (async function* () {
        for await (const chunk of source as AsyncIterable<Buffer>) {
          counter.bytes += chunk.length;
          yield chunk;
        }
      })(),
      { highWaterMark: 1 }, // no read-ahead: what is counted is what was asked for
    );
  };
  return { store: wrapped, counter };
}

test('registration stores the checkpoint metadata in the row; serving reads it there, even with the weights gone', async (t) => {
  const { db } = await databaseForTest(t);
  const store = await fsStore(t);
  const checkpoint = await testCheckpoint({ headInit: 'prototype', outputs: 20 });
  const model = await registerTestModel(db, store, { headInit: 'prototype', outputs: 20 });
  assert.deepEqual(model.metadata, JSON.parse(JSON.stringify(decodeCheckpoint(checkpoint).metadata)));
  await store.delete(model.weightsSha256);
  const served = await new ModelCatalog(db, store).resolve(undefined);
  assert.equal(served.metadata.spec.kind, 'conv4');
  assert.deepEqual(served.ways, { min: 2, max: 20 });
});

test('an older row without metadata is filled from the weights header alone, once', async (t) => {
  const { db } = await databaseForTest(t);
  const store = await fsStore(t);
  const model = await registerTestModel(db, store, { filters: 256 }); // 7 MB: a few of the store's 1 MiB chunks;
  await db.model.update({ where: { id: model.id }, data: { metadata: Prisma.DbNull } });
  const { store: watched, counter } = counting(store);
  const served = await new ModelCatalog(db, watched).resolve(model.id);
  assert.deepEqual(served.metadata, model.metadata);
  assert.ok(counter.bytes <= 2 * (1 << 20) && counter.bytes < Number(model.weightsBytes) / 3, `read ${counter.bytes} of ${model.weightsBytes} bytes`);
  assert.deepEqual((await db.model.findUniqueOrThrow({ where: { id: model.id } })).metadata, model.metadata, 'stored in the row');
  counter.bytes = 0;
  await new ModelCatalog(db, watched).resolve(model.id);
  assert.equal(counter.bytes, 0, 'a fresh catalog reads the row, not the file');
});
