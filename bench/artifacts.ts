/**
 * `npm run bench:artifacts`: throughput of the artifact stores on this machine: a streamed write
 * (putStream) and a streamed read of one file through the filesystem, PostgreSQL and S3 stores
 * (S3: s3rver on loopback, so it measures our client path more than a real S3), plus the peak RSS
 * growth while doing it, which shows that large files are not held whole in memory.
 * Prints JSON. Options: --mb N (file size, default 64).
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import S3rver from 's3rver';
import type { ArtifactStore } from '../src/shared/storage/artifact-store.ts';
import { FsArtifactStore } from '../src/shared/storage/fs-artifact-store.ts';
import { PgArtifactStore } from '../src/shared/storage/pg-artifact-store.ts';
import { S3ArtifactStore } from '../src/shared/storage/s3-artifact-store.ts';
import { createTestDatabase } from '../test/helpers/env.ts';

const { values } = parseArgs({ options: { mb: { type: 'string', default: '64' } } });
const bytes = Number(values.mb) * 1024 * 1024;
const PIECE = 256 * 1024;
const piece = new Uint8Array(PIECE).map((_, i) => (i * 2654435761) >>> 24);

/** A stream of `bytes` bytes made on the fly (never in memory as a whole); each piece differs. */
async function* source(): AsyncGenerator<Uint8Array> {
  for (let offset = 0, n = 0; offset < bytes; offset += PIECE, n++) {
    const chunk = piece.slice(0, Math.min(PIECE, bytes - offset));
    chunk[0] = n & 0xff;
    chunk[1] = (n >> 8) & 0xff;
    yield chunk;
  }
}

async function measure(name: string, store: ArtifactStore) {
  let peak = process.memoryUsage().rss;
  const base = peak;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t0 = performance.now();
  const { sha256 } = await store.putStream(source());
  const t1 = performance.now();
  let read = 0;
  for await (const chunk of await store.stream(sha256)) read += (chunk as Buffer).byteLength;
  const t2 = performance.now();
  clearInterval(sampler);
  await store.delete(sha256);
  if (read !== bytes) throw new Error(`${name}: read ${read} of ${bytes} bytes`);
  const mb = bytes / 1024 / 1024;
  return {
    store: name,
    mb,
    writeMBps: +(mb / ((t1 - t0) / 1000)).toFixed(1),
    readMBps: +(mb / ((t2 - t1) / 1000)).toFixed(1),
    peakRssGrowthMB: +((peak - base) / 1024 / 1024).toFixed(1),
  };
}

const database = await createTestDatabase();
const s3server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: await mkdtemp(path.join(os.tmpdir(), 's3rver-')) });
const { port } = await s3server.run();
const s3 = await S3ArtifactStore.connect({
  endpoint: `http://127.0.0.1:${port}`,
  region: 'us-east-1',
  bucket: 'bench',
  prefix: 'a',
  accessKeyId: 'S3RVER',
  secretAccessKey: 'S3RVER',
  forcePathStyle: true,
  createBucket: true,
});
try {
  const results = [];
  results.push(await measure('fs', new FsArtifactStore(await mkdtemp(path.join(os.tmpdir(), 'bench-store-')))));
  const pg = new PgArtifactStore(database.url);
  results.push(await measure('postgres', pg));
  await pg.close();
  results.push(await measure('s3 (s3rver)', s3));
  console.log(JSON.stringify({ bench: 'artifacts', results }, null, 2));
} finally {
  s3.close();
  await s3server.close();
  await database.drop();
}
