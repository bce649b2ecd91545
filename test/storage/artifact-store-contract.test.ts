/**
 * Every artifact store keeps the same contract: content-addressed, idempotent, streamed both ways,
 * verified on read, absent after delete. Run against the filesystem, PostgreSQL, an S3 server
 * (s3rver, S3's REST API on loopback) and the cached store in front of PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { createDb, type Db } from '../../src/shared/db/client.ts';
import { ArtifactCorruptError, ArtifactNotFoundError, type ArtifactStore } from '../../src/shared/storage/artifact-store.ts';
import { collect, sha256Hex } from '../../src/shared/storage/byte-streams.ts';
import { CachedArtifactStore } from '../../src/shared/storage/cached-artifact-store.ts';
import { FsArtifactStore } from '../../src/shared/storage/fs-artifact-store.ts';
import { PgArtifactStore } from '../../src/shared/storage/pg-artifact-store.ts';
import { S3ArtifactStore } from '../../src/shared/storage/s3-artifact-store.ts';
import { createTestDatabase } from '../helpers/env.ts';

const tempDir = (prefix: string) => mkdtemp(path.join(os.tmpdir(), prefix));

function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

async function* pieces(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.byteLength; offset += size) yield bytes.subarray(offset, offset + size);
}

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Db;
let s3server: S3rver;
let s3: S3ArtifactStore;
const SMALL_CHUNK = 4096;
const pgStores: PgArtifactStore[] = [];
function pgStore(): PgArtifactStore {
  const store = new PgArtifactStore(database.url, { chunkBytes: SMALL_CHUNK });
  pgStores.push(store);
  return store;
}

before(async () => {
  database = await createTestDatabase();
  db = createDb(database.url);
  s3server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: await tempDir('s3rver-') });
  const { port } = await s3server.run();
  s3 = await S3ArtifactStore.connect({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    bucket: 'maml-test',
    prefix: 'weights',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    forcePathStyle: true,
    createBucket: true,
  });
});

after(async () => {
  for (const store of pgStores) await store.close();
  s3.close();
  await s3server.close();
  await db.$disconnect();
  await database.drop();
});

const stores: Record<string, () => Promise<ArtifactStore>> = {
  fs: async () => new FsArtifactStore(await tempDir('store-')),
  postgres: async () => pgStore(),
  s3: async () => s3,
  'cache over postgres': async () => new CachedArtifactStore(new FsArtifactStore(await tempDir('cache-')), pgStore()),
};

for (const [name, make] of Object.entries(stores)) {
  describe(`${name} artifact store`, () => {
    test('put is content-addressed and idempotent; get, stream and has agree; delete removes it', async () => {
      const store = await make();
      const bytes = pseudoRandomBytes(3 * SMALL_CHUNK + 17, name.length);
      const first = await store.put(bytes);
      const again = await store.put(bytes);
      assert.equal(first.sha256, sha256Hex(bytes));
      assert.deepEqual(again, first);
      assert.equal(first.size, bytes.byteLength);
      assert.deepEqual(new Uint8Array(await store.get(first.sha256)), bytes);
      assert.deepEqual(new Uint8Array(await collect(await store.stream(first.sha256))), bytes);
      assert.equal(await store.has(first.sha256), true);
      await store.delete(first.sha256);
      assert.equal(await store.has(first.sha256), false);
      await assert.rejects(store.get(first.sha256), ArtifactNotFoundError);
      await assert.rejects(store.stream(first.sha256), ArtifactNotFoundError);
    });

    test('putStream stores a stream of odd-sized pieces under the digest of the whole', async () => {
      const store = await make();
      const bytes = pseudoRandomBytes(5 * SMALL_CHUNK + 1234, 7 + name.length);
      const stored = await store.putStream(pieces(bytes, 1000));
      assert.equal(stored.sha256, sha256Hex(bytes));
      assert.equal(stored.size, bytes.byteLength);
      assert.deepEqual(new Uint8Array(await store.get(stored.sha256)), bytes);
      const again = await store.putStream(pieces(bytes, 3333)); // the same bytes, cut differently
      assert.equal(again.sha256, stored.sha256);
      await store.delete(stored.sha256);
    });

    test('a failing source stores nothing', async () => {
      const store = await make();
      const bytes = pseudoRandomBytes(2 * SMALL_CHUNK, 99 + name.length);
      async function* broken() {
        yield bytes.subarray(0, SMALL_CHUNK);
        throw new Error('upload cut off');
      }
      await assert.rejects(store.putStream(broken()), /upload cut off/);
      assert.equal(await store.has(sha256Hex(bytes.subarray(0, SMALL_CHUNK))), false);
    });
  });
}

describe('postgres artifact store', () => {
  test('streams chunk by chunk and detects a damaged chunk', async () => {
    const store = pgStore();
    const bytes = pseudoRandomBytes(4 * SMALL_CHUNK, 5);
    const { sha256 } = await store.put(bytes);
    const sizes: number[] = [];
    for await (const chunk of await store.stream(sha256)) sizes.push((chunk as Buffer).byteLength);
    assert.deepEqual(sizes, [SMALL_CHUNK, SMALL_CHUNK, SMALL_CHUNK, SMALL_CHUNK]);
    const { blobId } = await db.artifact.findUniqueOrThrow({ where: { sha256 } });
    await db.artifactChunk.update({ where: { blobId_index: { blobId, index: 2 } }, data: { data: new Uint8Array(SMALL_CHUNK) } });
    await assert.rejects(store.get(sha256), ArtifactCorruptError);
    await store.delete(sha256);
    assert.equal(await db.artifactChunk.count({ where: { blobId } }), 0);
  });

  test('concurrent puts of the same bytes keep one copy', async () => {
    const store = pgStore();
    const bytes = pseudoRandomBytes(2 * SMALL_CHUNK + 5, 13);
    const chunksBefore = await db.artifactChunk.count();
    const results = await Promise.all([store.putStream(pieces(bytes, 700)), store.putStream(pieces(bytes, 900)), store.put(bytes)]);
    assert.equal(new Set(results.map((r) => r.sha256)).size, 1);
    const { blobId } = await db.artifact.findUniqueOrThrow({ where: { sha256: results[0]!.sha256 } });
    assert.equal(await db.artifactChunk.count({ where: { blobId } }), 3);
    assert.equal(await db.artifactChunk.count(), chunksBefore + 3); // the losers' chunks are gone
  });
});

describe('postgres artifact store housekeeping', () => {
  test('a write in a transaction that rolls back leaves no artifact; its staged chunks are swept once an hour old', async () => {
    const store = pgStore();
    const kept = await store.put(pseudoRandomBytes(2 * SMALL_CHUNK, 31));
    const orphan = pseudoRandomBytes(3 * SMALL_CHUNK, 37);
    await assert.rejects(
      db.$transaction(async (tx) => {
        await store.putInTransaction(tx, orphan);
        throw new Error('the registry row failed');
      }),
      /registry row failed/,
    );
    assert.equal(await store.has(sha256Hex(orphan)), false);
    const unclaimed = async () =>
      Number(
        (
          await db.$queryRaw<
            { n: bigint }[]
          >`SELECT count(*) AS n FROM "ArtifactChunk" c WHERE NOT EXISTS (SELECT 1 FROM "Artifact" a WHERE a."blobId" = c."blobId")`
        )[0]!.n,
      );
    assert.ok((await unclaimed()) >= 3);
    assert.equal(await store.sweepUnclaimed(), 0, 'young staged chunks may belong to an upload in progress');
    assert.ok((await store.sweepUnclaimed(Date.now() + 61 * 60_000)) >= 3);
    assert.equal(await unclaimed(), 0);
    assert.equal(sha256Hex(await store.get(kept.sha256)), kept.sha256, 'claimed chunks stay');
  });
});

describe('cached artifact store', () => {
  test('fills the local cache on first read and serves it from there; has asks the shared store', async () => {
    const local = new FsArtifactStore(await tempDir('cache-'));
    const shared = pgStore();
    const cached = new CachedArtifactStore(local, shared);
    const bytes = pseudoRandomBytes(SMALL_CHUNK + 3, 17);
    const { sha256 } = await shared.put(bytes); // written by another machine
    assert.equal(await local.has(sha256), false);
    const [a, b] = await Promise.all([cached.get(sha256), cached.get(sha256)]);
    assert.deepEqual(new Uint8Array(a), bytes);
    assert.deepEqual(new Uint8Array(b), bytes);
    assert.equal(await local.has(sha256), true);
    await db.artifact.delete({ where: { sha256 } }); // gone from the shared store behind its back
    assert.deepEqual(new Uint8Array(await cached.get(sha256)), bytes);
    assert.equal(await cached.has(sha256), false);
  });
});

describe('s3 artifact store', () => {
  test('a stream larger than one upload part goes up as a multipart upload and reads back whole', async () => {
    const bytes = pseudoRandomBytes(11 * 1024 * 1024 + 5, 23); // three 5 MiB parts
    const stored = await s3.putStream(pieces(bytes, 256 * 1024));
    assert.equal(stored.sha256, sha256Hex(bytes));
    assert.equal(sha256Hex(await s3.get(stored.sha256)), stored.sha256);
    await s3.delete(stored.sha256);
  });
});
