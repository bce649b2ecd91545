/** The artifact store a process uses, from its configuration (see src/storage/artifact-config.ts). */
import type { Db } from '../db/client.ts';
import type { ArtifactConfig } from './artifact-config.ts';
import type { ArtifactStore } from './artifact-store.ts';
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
  close(): void;
}

export async function createArtifactStore(config: ArtifactConfig, weightsDir: string, db: Db): Promise<ConfiguredStore> {
  const local = new FsArtifactStore(weightsDir);
  switch (config.kind) {
    case 'fs':
      return { store: local, local, shared: null, close: () => undefined };
    case 'postgres': {
      const shared = new PgArtifactStore(db);
      return { store: new CachedArtifactStore(local, shared), local, shared, close: () => undefined };
    }
    case 's3': {
      const s3 = await S3ArtifactStore.connect(config.s3);
      return { store: new CachedArtifactStore(local, s3), local, shared: s3, close: () => s3.close() };
    }
  }
}
