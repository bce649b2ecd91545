import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ArtifactCorruptError, ArtifactNotFoundError, InvalidDigestError } from '../../src/shared/storage/artifact-store.ts';
import { FsArtifactStore } from '../../src/shared/storage/fs-artifact-store.ts';

async function freshStore() {
  return new FsArtifactStore(await mkdtemp(path.join(os.tmpdir(), 'store-')));
}

test('put is content-addressed and idempotent; get returns the same bytes', async () => {
  const store = await freshStore();
  const bytes = new Uint8Array([1, 2, 3, 250]);
  const a = await store.put(bytes);
  const b = await store.put(bytes);
  assert.equal(a.sha256, createHash('sha256').update(bytes).digest('hex'));
  assert.deepEqual(a, b);
  assert.equal(a.size, 4);
  assert.deepEqual(new Uint8Array(await store.get(a.sha256)), bytes);
  assert.equal(await store.has(a.sha256), true);
  await store.delete(a.sha256);
  assert.equal(await store.has(a.sha256), false);
  await assert.rejects(store.get(a.sha256), ArtifactNotFoundError);
});

test('a file whose bytes no longer match its name is reported corrupt', async () => {
  const store = await freshStore();
  const { sha256, location } = await store.put(new Uint8Array([9, 9, 9]));
  await writeFile(location, new Uint8Array([9, 9]));
  await assert.rejects(store.get(sha256), ArtifactCorruptError);
});

test('names that are not sha256 digests are refused (no path traversal)', async () => {
  const store = await freshStore();
  await assert.rejects(store.get('../../etc/passwd'), InvalidDigestError);
  await assert.rejects(
    store.has('A'.repeat(64)).then((v) => {
      if (!v) throw new InvalidDigestError('x');
    }),
    InvalidDigestError,
  );
});

test('no temp file is left after writes, and a crash leftover is swept', async () => {
  const store = await freshStore();
  const { sha256 } = await store.put(new Uint8Array(1024).fill(7));
  const folder = path.join(store.dir, sha256.slice(0, 2));
  assert.deepEqual(await readdir(folder), [sha256]);
  await mkdir(path.join(store.dir, 'ab'), { recursive: true });
  await writeFile(path.join(store.dir, 'ab', '.tmp-crashed'), 'partial');
  assert.equal(await store.sweepTemporaries(), 1);
  assert.deepEqual(await readdir(path.join(store.dir, 'ab')), []);
});

test('sweeping a weights folder that does not exist yet removes nothing', async () => {
  const store = new FsArtifactStore(path.join(os.tmpdir(), `never-written-${Date.now()}`));
  assert.equal(await store.sweepTemporaries(), 0);
});
