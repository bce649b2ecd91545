import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildZip } from '../../data/testing/zip.ts';
import { openArchive } from './archive-scan.ts';
import { BlockCachedReader } from './block-reader.ts';

test('reads any range exactly, across block boundaries, and whole zips through yauzl', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'block-reader-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const bytes = randomBytes(300_000);
  const file = path.join(dir, 'data.bin');
  await writeFile(file, bytes);
  const reader = await BlockCachedReader.open(file);
  for (const [start, length] of [
    [0, 10],
    [65_530, 20],
    [1, 200_000],
    [299_990, 10],
    [131_072, 65_536],
  ] as const) {
    const out = Buffer.alloc(length);
    await new Promise<void>((resolve, reject) => reader.read(out, 0, length, start, (error) => (error ? reject(error) : resolve())));
    assert.deepEqual(out, bytes.subarray(start, start + length), `${start}+${length}`);
  }
  await assert.rejects(
    new Promise<void>((resolve, reject) => reader.read(Buffer.alloc(20), 0, 20, 299_990, (error) => (error ? reject(error) : resolve()))),
    /past the end/,
  );
  await new Promise((resolve) => reader.close(resolve));

  const entries = Array.from({ length: 40 }, (_, i) => ({ name: `f${i}.bin`, data: randomBytes(5_000 + i * 97), deflate: i % 3 === 0 }));
  const zipFile = path.join(dir, 'data.zip');
  await writeFile(zipFile, buildZip(entries));
  const zip = await openArchive(zipFile);
  try {
    let i = 0;
    for await (const entry of zip.eachEntry()) {
      const chunks: Buffer[] = [];
      for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
      assert.deepEqual(Buffer.concat(chunks), Buffer.from(entries[i++]!.data), `entry ${i}`);
    }
    assert.equal(i, 40);
  } finally {
    zip.close();
  }
});
