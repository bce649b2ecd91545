/**
 * Filesystem artifact store: `<dir>/<sha[0:2]>/<sha>`. Writes go to a temp file in the same
 * directory, are fsynced, then renamed into place (atomic on POSIX), and the directory is fsynced,
 * so a crash leaves either the whole file or none (plus, at worst, a `.tmp-*` file that is
 * swept at the next start).
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  ArtifactCorruptError,
  ArtifactNotFoundError,
  assertDigest,
  type ArtifactStore,
  type StoredArtifact,
} from './artifact-store.ts';

const TEMP_PREFIX = '.tmp-';

export class FsArtifactStore implements ArtifactStore {
  constructor(readonly dir: string) {}

  private pathOf(sha256: string): string {
    assertDigest(sha256);
    return path.join(this.dir, sha256.slice(0, 2), sha256);
  }

  async put(bytes: Uint8Array): Promise<StoredArtifact> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const target = this.pathOf(sha256);
    const folder = path.dirname(target);
    await mkdir(folder, { recursive: true });
    if (!(await this.has(sha256))) {
      const temp = path.join(folder, `${TEMP_PREFIX}${randomUUID()}`);
      const file = await open(temp, 'wx', 0o644);
      try {
        await file.writeFile(bytes);
        await file.sync();
      } finally {
        await file.close();
      }
      try {
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      await syncDirectory(folder);
    }
    return { sha256, size: bytes.byteLength, location: target };
  }

  async get(sha256: string): Promise<Buffer> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.pathOf(sha256));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ArtifactNotFoundError(sha256);
      throw error;
    }
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== sha256) throw new ArtifactCorruptError(sha256, actual);
    return bytes;
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
    const folders = await readdir(this.dir, { withFileTypes: true }).catch(() => []);
    for (const folder of folders.filter((f) => f.isDirectory())) {
      const full = path.join(this.dir, folder.name);
      for (const name of await readdir(full)) {
        if (name.startsWith(TEMP_PREFIX)) {
          await rm(path.join(full, name), { force: true });
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
