/**
 * Filesystem artifact store: `<dir>/<sha[0:2]>/<sha>`. Writes go to a temp file in `<dir>`, are
 * fsynced, then renamed into place (atomic on POSIX), and the directory is fsynced, so a crash
 * leaves either the whole file or none (plus, at worst, a `.tmp-*` file swept at the next start).
 * On one machine it is the store; with a shared store it is the local cache in front of it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { ArtifactCorruptError, ArtifactNotFoundError, assertDigest, type ArtifactStore, type StoredArtifact } from './artifact-store.ts';
import { sha256Hex, verified } from './byte-streams.ts';

const TEMP_PREFIX = '.tmp-';

export class FsArtifactStore implements ArtifactStore {
  constructor(readonly dir: string) {}

  private pathOf(sha256: string): string {
    assertDigest(sha256);
    return path.join(this.dir, sha256.slice(0, 2), sha256);
  }

  async put(bytes: Uint8Array): Promise<StoredArtifact> {
    const sha256 = sha256Hex(bytes);
    if (await this.has(sha256)) return { sha256, size: bytes.byteLength, location: this.pathOf(sha256) };
    return this.write([bytes]);
  }

  putStream(chunks: AsyncIterable<Uint8Array>): Promise<StoredArtifact> {
    return this.write(chunks);
  }

  private async write(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<StoredArtifact> {
    await mkdir(this.dir, { recursive: true });
    const temp = path.join(this.dir, `${TEMP_PREFIX}${randomUUID()}`);
    const hash = createHash('sha256');
    let size = 0;
    try {
      const file = await open(temp, 'wx', 0o644);
      try {
        for await (const chunk of chunks) {
          hash.update(chunk);
          size += chunk.byteLength;
          await file.write(chunk);
        }
        await file.sync();
      } finally {
        await file.close();
      }
      const sha256 = hash.digest('hex');
      const target = this.pathOf(sha256);
      await mkdir(path.dirname(target), { recursive: true });
      await rename(temp, target); // same bytes under the same name when it existed: harmless
      await syncDirectory(path.dirname(target));
      return { sha256, size, location: target };
    } finally {
      await rm(temp, { force: true });
    }
  }

  async get(sha256: string): Promise<Buffer> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.pathOf(sha256));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ArtifactNotFoundError(sha256);
      throw error;
    }
    const actual = sha256Hex(bytes);
    if (actual !== sha256) throw new ArtifactCorruptError(sha256, actual);
    return bytes;
  }

  async stream(sha256: string): Promise<Readable> {
    if (!(await this.has(sha256))) throw new ArtifactNotFoundError(sha256);
    return Readable.from(verified(createReadStream(this.pathOf(sha256), { highWaterMark: 1 << 20 }), sha256));
  }

  async has(sha256: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(sha256))).isFile();
    } catch {
      return false;
    }
  }

  async delete(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }

  /** Removes temp files left by a crash mid-write. Returns how many were removed. */
  async sweepTemporaries(): Promise<number> {
    let removed = 0;
    const entries = await readdir(this.dir, { withFileTypes: true }).catch(() => null);
    if (!entries) return 0; // nothing written here yet
    const folders = [this.dir, ...entries.filter((e) => e.isDirectory()).map((e) => path.join(this.dir, e.name))];
    for (const folder of folders) {
      for (const name of await readdir(folder)) {
        if (name.startsWith(TEMP_PREFIX)) {
          await rm(path.join(folder, name), { force: true });
          removed += 1;
        }
      }
    }
    return removed;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
