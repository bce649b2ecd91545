/** Weights artifacts, content-addressed by the sha256 of their bytes. */
import type { Readable } from 'node:stream';
import type { Db } from '../db/client.ts';

export interface StoredArtifact {
  readonly sha256: string;
  readonly size: number;
  /** Where the store keeps it (a path, `postgres:…` or `s3://…`); recorded in the registry row. */
  readonly location: string;
}

export interface ArtifactStore {
  /** Stores bytes atomically (a crash never leaves a partial artifact under its final name). */
  put(bytes: Uint8Array): Promise<StoredArtifact>;
  /** Stores a stream, hashing as it goes, without holding it whole in memory. */
  putStream(chunks: AsyncIterable<Uint8Array>): Promise<StoredArtifact>;
  /** The bytes, verified against their sha256; ArtifactNotFoundError when absent. */
  get(sha256: string): Promise<Buffer>;
  /**
   * The bytes as a stream, not loaded whole; ArtifactNotFoundError (before any byte) when absent.
   * The stream ends with ArtifactCorruptError instead of its last chunk when the digest differs.
   */
  stream(sha256: string): Promise<Readable>;
  has(sha256: string): Promise<boolean>;
  delete(sha256: string): Promise<void>;
}

/** A database transaction (Prisma interactive transaction client). */
export type DbTransaction = Parameters<Parameters<Db['$transaction']>[0]>[0];

/** A store in the database itself: an artifact can be written in the caller's transaction. */
export interface TransactionalArtifactStore extends ArtifactStore {
  /** Exists exactly when `tx` commits (with the registry row written in the same transaction). */
  putInTransaction(tx: DbTransaction, bytes: Uint8Array): Promise<StoredArtifact>;
  deleteInTransaction(tx: DbTransaction, sha256: string): Promise<void>;
}

export function isTransactional(store: ArtifactStore): store is TransactionalArtifactStore {
  return typeof (store as Partial<TransactionalArtifactStore>).putInTransaction === 'function';
}

/** Stores within `tx` where the store can, else before (a rolled-back row leaves an unreferenced artifact, never the reverse). */
export function putWithin(store: ArtifactStore, tx: DbTransaction, bytes: Uint8Array): Promise<StoredArtifact> {
  return isTransactional(store) ? store.putInTransaction(tx, bytes) : store.put(bytes);
}

export function deleteWithin(store: ArtifactStore, tx: DbTransaction, sha256: string): Promise<void> {
  return isTransactional(store) ? store.deleteInTransaction(tx, sha256) : store.delete(sha256);
}

export class ArtifactNotFoundError extends Error {
  constructor(readonly sha256: string) {
    super(`artifact ${sha256} not found`);
  }
}

export class ArtifactCorruptError extends Error {
  constructor(
    readonly sha256: string,
    readonly actual: string,
  ) {
    super(`artifact ${sha256} is corrupt: its bytes hash to ${actual}`);
  }
}

export class InvalidDigestError extends Error {
  constructor(readonly value: string) {
    super(`not a sha256 hex digest: ${JSON.stringify(value.slice(0, 80))}`);
  }
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function assertDigest(value: string): void {
  if (!SHA256_HEX.test(value)) throw new InvalidDigestError(value);
}
