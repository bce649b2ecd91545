/**
 * A shared store (PostgreSQL or S3: every machine sees it) with this machine's filesystem store as
 * a read cache in front. Writes go to the shared store only; reads are served from the local copy,
 * fetched (streamed to disk, verified) on first use. Inference threads read the local copy, which
 * the API's inference pool makes sure of before each request (`ensureLocal`). Entries never go
 * stale: a digest names the same bytes forever.
 */
import type { Readable } from 'node:stream';
import {
  ArtifactCorruptError,
  deleteWithin,
  putWithin,
  type ArtifactStore,
  type DbTransaction,
  type StoredArtifact,
  type TransactionalArtifactStore,
} from './artifact-store.ts';
import type { FsArtifactStore } from './fs-artifact-store.ts';

export class CachedArtifactStore implements TransactionalArtifactStore {
  private readonly fetching = new Map<string, Promise<void>>();

  constructor(
    readonly local: FsArtifactStore,
    readonly shared: ArtifactStore,
  ) {}

  put(bytes: Uint8Array): Promise<StoredArtifact> {
    return this.shared.put(bytes);
  }

  putStream(chunks: AsyncIterable<Uint8Array>): Promise<StoredArtifact> {
    return this.shared.putStream(chunks);
  }

  putInTransaction(tx: DbTransaction, bytes: Uint8Array): Promise<StoredArtifact> {
    return putWithin(this.shared, tx, bytes);
  }

  async deleteInTransaction(tx: DbTransaction, sha256: string): Promise<void> {
    await this.local.delete(sha256);
    await deleteWithin(this.shared, tx, sha256);
  }

  async get(sha256: string): Promise<Buffer> {
    await this.ensureLocal(sha256);
    try {
      return await this.local.get(sha256);
    } catch (error) {
      if (!(error instanceof ArtifactCorruptError)) throw error;
      await this.local.delete(sha256); // a damaged cache entry: fetch it again
      await this.ensureLocal(sha256);
      return this.local.get(sha256);
    }
  }

  async stream(sha256: string): Promise<Readable> {
    await this.ensureLocal(sha256);
    return this.local.stream(sha256);
  }

  /** Whether the shared store holds it (the truth every machine agrees on). */
  has(sha256: string): Promise<boolean> {
    return this.shared.has(sha256);
  }

  async delete(sha256: string): Promise<void> {
    await this.local.delete(sha256);
    await this.shared.delete(sha256);
  }

  /** Copies the artifact to the local cache unless it is there; concurrent callers share one copy. */
  async ensureLocal(sha256: string): Promise<void> {
    if (await this.local.has(sha256)) return;
    let pending = this.fetching.get(sha256);
    if (!pending) {
      pending = this.shared
        .stream(sha256)
        .then((source) => this.local.putStream(source))
        .then((stored) => {
          if (stored.sha256 !== sha256) throw new ArtifactCorruptError(sha256, stored.sha256);
        })
        .finally(() => this.fetching.delete(sha256));
      this.fetching.set(sha256, pending);
    }
    await pending;
  }
}
