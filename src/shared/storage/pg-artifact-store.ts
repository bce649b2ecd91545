/**
 * PostgreSQL artifact store: every machine that reaches the database reads the same weights. An
 * artifact is a row (`Artifact`: sha256, size, blob id) over `ArtifactChunk` rows of at most
 * 1 MiB. Bytes go through node-postgres directly (binary parameters; Prisma's path is ~10× slower
 * for bytea and buffers every value): they are staged as chunks under a fresh, time-ordered blob
 * id, then the `Artifact` row claims them, in the caller's transaction when there is one, so a
 * model row and its weights commit together. Staged chunks that no row claims (a rolled-back
 * transaction, a crash mid-upload) are swept after an hour. Reads go one chunk at a time, so a
 * large file is never held whole in memory. Connection failures reject with
 * `DependencyUnavailableError('postgres')` (src/shared/db/pool.ts).
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { createPgPool } from '../db/pool.ts';
import { ArtifactNotFoundError, assertDigest, type DbTransaction, type StoredArtifact, type TransactionalArtifactStore } from './artifact-store.ts';
import { collect, rechunk, sha256Hex, verified } from './byte-streams.ts';
import { uuid7, uuid7Floor } from './uuid7.ts';

export const CHUNK_BYTES = 1 << 20;
/** Transactions that may write a large artifact outlive Prisma's 5 s default. */
export const ARTIFACT_TRANSACTION = { timeout: 10 * 60_000 } as const;
const STAGED_LIFETIME_MS = 60 * 60_000;

interface Staged {
  readonly blobId: string;
  readonly sha256: string;
  readonly size: number;
}

export class PgArtifactStore implements TransactionalArtifactStore {
  private readonly pool: pg.Pool;
  private readonly chunkBytes: number;

  constructor(databaseUrl: string, options: { chunkBytes?: number; connectionTimeoutMs?: number } = {}) {
    this.chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
    this.pool = createPgPool({ connectionString: databaseUrl, max: 4, connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000 });
    this.pool.on('error', () => undefined); // an idle client's lost connection: the next query reconnects
  }

  async put(bytes: Uint8Array): Promise<StoredArtifact> {
    const sha256 = sha256Hex(bytes);
    if (await this.has(sha256)) return stored(sha256, bytes.byteLength);
    return this.claim(await this.stage([bytes]));
  }

  async putStream(chunks: AsyncIterable<Uint8Array>): Promise<StoredArtifact> {
    return this.claim(await this.stage(chunks));
  }

  async putInTransaction(tx: DbTransaction, bytes: Uint8Array): Promise<StoredArtifact> {
    const sha256 = sha256Hex(bytes);
    if (await tx.artifact.findUnique({ where: { sha256 }, select: { sha256: true } })) return stored(sha256, bytes.byteLength);
    const staged = await this.stage([bytes]);
    const claimed =
      await tx.$executeRaw`INSERT INTO "Artifact" ("sha256", "size", "blobId") VALUES (${sha256}, ${staged.size}, ${staged.blobId}::uuid) ON CONFLICT ("sha256") DO NOTHING`;
    if (claimed === 0) await this.discard(staged.blobId);
    return stored(sha256, staged.size);
  }

  /** Writes the chunks under a new blob id (invisible until claimed), hashing as they pass. */
  private async stage(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Staged> {
    const blobId = uuid7();
    const hash = createHash('sha256');
    let size = 0;
    let index = 0;
    try {
      for await (const chunk of rechunk(source, this.chunkBytes)) {
        hash.update(chunk);
        size += chunk.byteLength;
        await this.pool.query('INSERT INTO "ArtifactChunk" ("blobId", "index", "data") VALUES ($1, $2, $3)', [blobId, index++, chunk]);
      }
    } catch (error) {
      await this.discard(blobId).catch(() => undefined); // else swept later
      throw error;
    }
    return { blobId, sha256: hash.digest('hex'), size };
  }

  private async claim(staged: Staged): Promise<StoredArtifact> {
    const { rowCount } = await this.pool.query('INSERT INTO "Artifact" ("sha256", "size", "blobId") VALUES ($1, $2, $3) ON CONFLICT ("sha256") DO NOTHING', [
      staged.sha256,
      staged.size,
      staged.blobId,
    ]);
    if (rowCount === 0) await this.discard(staged.blobId); // the same bytes were stored already
    return stored(staged.sha256, staged.size);
  }

  private async discard(blobId: string): Promise<void> {
    await this.pool.query('DELETE FROM "ArtifactChunk" WHERE "blobId" = $1', [blobId]);
  }

  async get(sha256: string): Promise<Buffer> {
    return collect(await this.stream(sha256));
  }

  async stream(sha256: string): Promise<Readable> {
    assertDigest(sha256);
    const { rows } = await this.pool.query<{ blobId: string }>('SELECT "blobId" FROM "Artifact" WHERE "sha256" = $1', [sha256]);
    if (!rows[0]) throw new ArtifactNotFoundError(sha256);
    return Readable.from(verified(this.chunks(rows[0].blobId), sha256), { objectMode: false });
  }

  private async *chunks(blobId: string): AsyncGenerator<Uint8Array> {
    for (let index = 0; ; index++) {
      const { rows } = await this.pool.query<{ data: Buffer }>('SELECT "data" FROM "ArtifactChunk" WHERE "blobId" = $1 AND "index" = $2', [blobId, index]);
      if (!rows[0]) return;
      yield rows[0].data;
    }
  }

  async has(sha256: string): Promise<boolean> {
    assertDigest(sha256);
    return ((await this.pool.query('SELECT 1 FROM "Artifact" WHERE "sha256" = $1', [sha256])).rowCount ?? 0) > 0;
  }

  async delete(sha256: string): Promise<void> {
    assertDigest(sha256);
    const { rows } = await this.pool.query<{ blobId: string }>('DELETE FROM "Artifact" WHERE "sha256" = $1 RETURNING "blobId"', [sha256]);
    if (rows[0]) await this.discard(rows[0].blobId);
  }

  async deleteInTransaction(tx: DbTransaction, sha256: string): Promise<void> {
    assertDigest(sha256);
    const rows = await tx.$queryRaw<{ blobId: string }[]>`DELETE FROM "Artifact" WHERE "sha256" = ${sha256} RETURNING "blobId"::text`;
    if (rows[0]) await tx.$executeRaw`DELETE FROM "ArtifactChunk" WHERE "blobId" = ${rows[0].blobId}::uuid`;
  }

  /** Deletes chunks staged more than an hour ago that no artifact claimed. Returns how many. */
  async sweepUnclaimed(now = Date.now()): Promise<number> {
    const { rowCount } = await this.pool.query(
      'DELETE FROM "ArtifactChunk" c WHERE c."blobId" < $1 AND NOT EXISTS (SELECT 1 FROM "Artifact" a WHERE a."blobId" = c."blobId")',
      [uuid7Floor(now - STAGED_LIFETIME_MS)],
    );
    return rowCount ?? 0;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function stored(sha256: string, size: number): StoredArtifact {
  return { sha256, size, location: `postgres:Artifact/${sha256}` };
}
