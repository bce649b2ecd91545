/**
 * PostgreSQL artifact store: every machine that reaches the database reads the same weights. An
 * artifact is a row (`Artifact`: sha256, size, blob id) and its bytes are `ArtifactChunk` rows of
 * at most 1 MiB, written in one transaction (the caller's, so a model row and its weights commit
 * together) and read back one chunk at a time, so a large file is never held whole in memory.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Db } from '../db/client.ts';
import {
  ArtifactNotFoundError,
  assertDigest,
  type DbTransaction,
  type StoredArtifact,
  type TransactionalArtifactStore,
} from './artifact-store.ts';
import { collect, rechunk, sha256Hex, verified } from './byte-streams.ts';

export const CHUNK_BYTES = 1 << 20;
/** Interactive transactions of a large upload outlive Prisma's 5 s default. */
const TRANSACTION = { timeout: 10 * 60_000, maxWait: 30_000 };

export class PgArtifactStore implements TransactionalArtifactStore {
  constructor(
    private readonly db: Db,
    private readonly chunkBytes = CHUNK_BYTES,
  ) {}

  put(bytes: Uint8Array): Promise<StoredArtifact> {
    return this.db.$transaction((tx) => this.putInTransaction(tx, bytes), TRANSACTION);
  }

  async putInTransaction(tx: DbTransaction, bytes: Uint8Array): Promise<StoredArtifact> {
    const sha256 = sha256Hex(bytes);
    if (await tx.artifact.findUnique({ where: { sha256 }, select: { sha256: true } })) return stored(sha256, bytes.byteLength);
    return this.write(tx, rechunk([bytes], this.chunkBytes));
  }

  putStream(chunks: AsyncIterable<Uint8Array>): Promise<StoredArtifact> {
    return this.db.$transaction((tx) => this.write(tx, rechunk(chunks, this.chunkBytes)), TRANSACTION);
  }

  /** Writes the chunks under a new blob, then claims the digest; a digest already stored keeps its blob. */
  private async write(tx: DbTransaction, chunks: AsyncIterable<Uint8Array>): Promise<StoredArtifact> {
    const blobId = randomUUID();
    const hash = createHash('sha256');
    let size = 0;
    let index = 0;
    for await (const chunk of chunks) {
      hash.update(chunk);
      size += chunk.byteLength;
      await tx.artifactChunk.create({ data: { blobId, index: index++, data: chunk as Uint8Array<ArrayBuffer> } });
    }
    const sha256 = hash.digest('hex');
    const claimed = await tx.$executeRaw`INSERT INTO "Artifact" ("sha256", "size", "blobId") VALUES (${sha256}, ${size}, ${blobId}::uuid) ON CONFLICT ("sha256") DO NOTHING`;
    if (claimed === 0) await tx.artifactChunk.deleteMany({ where: { blobId } });
    return stored(sha256, size);
  }

  async get(sha256: string): Promise<Buffer> {
    return collect(await this.stream(sha256));
  }

  async stream(sha256: string): Promise<Readable> {
    assertDigest(sha256);
    const row = await this.db.artifact.findUnique({ where: { sha256 } });
    if (!row) throw new ArtifactNotFoundError(sha256);
    return Readable.from(verified(this.chunks(row.blobId), sha256), { objectMode: false });
  }

  private async *chunks(blobId: string): AsyncGenerator<Uint8Array> {
    for (let index = 0; ; index++) {
      const chunk = await this.db.artifactChunk.findUnique({ where: { blobId_index: { blobId, index } }, select: { data: true } });
      if (!chunk) return;
      yield chunk.data;
    }
  }

  async has(sha256: string): Promise<boolean> {
    assertDigest(sha256);
    return (await this.db.artifact.count({ where: { sha256 } })) > 0;
  }

  delete(sha256: string): Promise<void> {
    return this.db.$transaction((tx) => this.deleteInTransaction(tx, sha256), TRANSACTION);
  }

  async deleteInTransaction(tx: DbTransaction, sha256: string): Promise<void> {
    assertDigest(sha256);
    const row = await tx.artifact.findUnique({ where: { sha256 } });
    if (!row) return;
    await tx.artifact.delete({ where: { sha256 } });
    await tx.artifactChunk.deleteMany({ where: { blobId: row.blobId } });
  }
}

function stored(sha256: string, size: number): StoredArtifact {
  return { sha256, size, location: `postgres:Artifact/${sha256}` };
}
