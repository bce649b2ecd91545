/**
 * The model registry, write side. With the PostgreSQL store the weights are written in the same
 * transaction as the registry row; with the others they are stored first (atomically,
 * content-addressed), and only then does a row point at them. Either way no row ever names a
 * partial or missing file. Versions count up per name. The row keeps the file's checkpoint
 * metadata (./metadata.ts), so readers never download the weights to learn it.
 */
import { readCheckpointHeader } from '../../core/checkpoint/index.ts';
import type { Db } from '../db/client.ts';
import type { Model, Prisma } from '../../generated/prisma/client.ts';
import { putWithin, type ArtifactStore, type DbTransaction } from '../storage/artifact-store.ts';
import { ARTIFACT_TRANSACTION } from '../storage/pg-artifact-store.ts';

export interface RegisterModelInput {
  readonly name: string;
  /** A safetensors checkpoint (src/core/checkpoint); its metadata fills the registry row. */
  readonly checkpoint: Uint8Array;
  readonly metrics?: Record<string, unknown>;
  readonly makeDefault?: boolean;
  readonly trainingJobId?: string;
}

const UNIQUE_VIOLATION = 'P2002';

export async function registerModel(db: Db, store: ArtifactStore, input: RegisterModelInput): Promise<Model> {
  readCheckpointHeader(input.checkpoint); // refuses a malformed checkpoint before anything is stored (header only: no tensor copied)
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.$transaction((tx) => registerModelIn(tx, store, input), ARTIFACT_TRANSACTION);
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION && attempt < 3) continue; // a concurrent version bump
      throw error;
    }
  }
}

/** Registers within the caller's transaction (which then owns retries of a version clash). */
export async function registerModelIn(tx: DbTransaction, store: ArtifactStore, input: RegisterModelInput): Promise<Model> {
  const { metadata } = readCheckpointHeader(input.checkpoint);
  const artifact = await putWithin(store, tx, input.checkpoint);
  const latest = await tx.model.findFirst({ where: { name: input.name }, orderBy: { version: 'desc' }, select: { version: true } });
  if (input.makeDefault) await tx.model.updateMany({ where: { isDefault: true }, data: { isDefault: false } });
  const model = await tx.model.create({
    data: {
      name: input.name,
      version: (latest?.version ?? 0) + 1,
      architecture: metadata.spec as unknown as Prisma.InputJsonValue,
      algorithm: metadata.algorithm,
      nWay: metadata.nWay ?? 1,
      inputShape: [...metadata.inputShape],
      weightsSha256: artifact.sha256,
      weightsLocation: artifact.location,
      weightsBytes: BigInt(artifact.size),
      metrics: (input.metrics ?? {}) as Prisma.InputJsonValue,
      metadata: metadata as unknown as Prisma.InputJsonValue,
      isDefault: input.makeDefault ?? false,
    },
  });
  if (input.trainingJobId) await tx.trainingJob.update({ where: { id: input.trainingJobId }, data: { modelId: model.id } });
  return model;
}

/** Makes one model the default for /adapt (and no other). */
export async function promoteModel(db: Db, id: string): Promise<Model> {
  return db.$transaction(async (tx) => {
    await tx.model.updateMany({ where: { isDefault: true }, data: { isDefault: false } });
    return tx.model.update({ where: { id }, data: { isDefault: true } });
  });
}
