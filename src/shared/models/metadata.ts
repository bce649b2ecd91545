/**
 * A model's checkpoint metadata (network spec, preprocessing, test-time settings), read from its
 * registry row: registration stores it there (src/shared/models/registry.ts), so serving never
 * downloads the weights to learn it. Rows registered before the column existed are filled on
 * first use from the weights file's header alone (streamed: only the header's bytes are read).
 */
import { checkpointHeaderSize, readCheckpointMetadata, validateCheckpointMetadata, type CheckpointMetadata } from '../../core/checkpoint/index.ts';
import type { Model, Prisma } from '../../generated/prisma/client.ts';
import type { Db } from '../db/client.ts';
import type { ArtifactStore } from '../storage/artifact-store.ts';

/** The first bytes of an artifact that hold its checkpoint header; the rest of the file is not read. */
export async function readStoredCheckpointMetadata(store: ArtifactStore, sha256: string): Promise<CheckpointMetadata> {
  const stream = await store.stream(sha256);
  const chunks: Buffer[] = [];
  let length = 0;
  let needed = 8;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      length += chunk.length;
      if (needed === 8 && length >= 8) needed = checkpointHeaderSize(Buffer.concat(chunks));
      if (length >= needed) break;
    }
  } finally {
    stream.destroy(); // stop reading (and verifying) the tensor data
  }
  return readCheckpointMetadata(Buffer.concat(chunks, length));
}

/** The row's metadata; for an older row, read from the file's header and stored in the row (best effort). */
export async function modelMetadata(db: Db, store: ArtifactStore, row: Pick<Model, 'id' | 'weightsSha256' | 'metadata'>): Promise<CheckpointMetadata> {
  if (row.metadata !== null) return validateCheckpointMetadata(row.metadata);
  const metadata = await readStoredCheckpointMetadata(store, row.weightsSha256);
  await db.model.update({ where: { id: row.id }, data: { metadata: metadata as unknown as Prisma.InputJsonValue } }).catch(() => undefined); // PostgreSQL down: next time
  return metadata;
}
