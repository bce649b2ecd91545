/** The artifact store a process uses, from its configuration (see src/shared/storage/artifact-config.ts). */
import type { ArtifactConfig } from './artifact-config.ts';
import { ArtifactNotFoundError, type ArtifactStore } from './artifact-store.ts';
import { CachedArtifactStore } from './cached-artifact-store.ts';
import { FsArtifactStore } from './fs-artifact-store.ts';
import { PgArtifactStore } from './pg-artifact-store.ts';
import { S3ArtifactStore } from './s3-artifact-store.ts';

export interface ConfiguredStore {
  readonly store: ArtifactStore;
  /** This machine's weights folder: the whole store (`fs`) or the cache in front of a shared one. */
  readonly local: FsArtifactStore;
  /** The store every machine shares (null for `fs`). */
  readonly shared: ArtifactStore | null;
  /**
   * Makes the artifact present in the local folder (fetched from the shared store when it is not
   * there); ArtifactNotFoundError when no store holds it. Inference threads read only the folder.
   */
  ensureLocal(sha256: string): Promise<void>;
  /** Start-up housekeeping: crash leftovers in the local folder, unclaimed chunks in PostgreSQL. */
  sweep(): Promise<{ localTemporaries: number; unclaimedChunks: number }>;
  close(): Promise<void>;
}

export async function createArtifactStore(config: ArtifactConfig, weightsDir: string, databaseUrl: string): Promise<ConfiguredStore> {
  const local = new FsArtifactStore(weightsDir);
  const configured = (shared: ArtifactStore | null, sweepShared: () => Promise<number>, close: () => Promise<void>): ConfiguredStore => {
    const cached = shared ? new CachedArtifactStore(local, shared) : null;
    return {
      store: cached ?? local,
      local,
      shared,
      async ensureLocal(sha256) {
        if (cached) return cached.ensureLocal(sha256);
        if (!(await local.has(sha256))) throw new ArtifactNotFoundError(sha256);
      },
      async sweep() {
        return { localTemporaries: await local.sweepTemporaries(), unclaimedChunks: await sweepShared() };
      },
      close,
    };
  };
  switch (config.kind) {
    case 'fs':
      return configured(
        null,
        async () => 0,
        async () => undefined,
      );
    case 'postgres': {
      const pg = new PgArtifactStore(databaseUrl);
      return configured(
        pg,
        () => pg.sweepUnclaimed(),
        () => pg.close(),
      );
    }
    case 's3': {
      const s3 = await S3ArtifactStore.connect(config.s3);
      return configured(
        s3,
        async () => 0,
        async () => s3.close(),
      );
    }
  }
}
