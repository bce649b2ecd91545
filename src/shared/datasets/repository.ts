/**
 * Dataset rows and their artifact: save an ingested upload, view, delete, and load it back as an
 * ImageStore for the training worker. Saving and deleting take a transaction-scoped advisory lock
 * on the artifact's sha256, so a delete never removes a file that a concurrent identical upload
 * has just been given.
 */
import type { Preprocessing } from '../../core/types.ts';
import { validateImageStore, type ImageStore } from '../../core/tasks/image-store.ts';
import type { Db } from '../db/client.ts';
import type { Dataset } from '../../generated/prisma/client.ts';
import { deleteWithin, putWithin, type ArtifactStore } from '../storage/artifact-store.ts';
import { DatasetInUseError, DatasetNotFoundError } from './errors.ts';
import { decodeDataset, encodeDataset } from './format.ts';
import type { IngestedDataset } from './ingest.ts';
import type { DatasetLayout } from './layout.ts';
import { ARTIFACT_TRANSACTION } from '../storage/pg-artifact-store.ts';
import { sha256Hex } from '../storage/byte-streams.ts';

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

const lockArtifact = (tx: Tx, sha256: string) => tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`dataset:${sha256}`}))`;

export function datasetView(row: Dataset) {
  return {
    id: row.id,
    name: row.name,
    layout: row.layout,
    classes: row.classes,
    images: row.images,
    imagesPerClass: { min: row.minImagesPerClass, max: row.maxImagesPerClass },
    preprocessing: row.preprocessing as unknown as Preprocessing,
    artifact: { sha256: row.artifactSha256, bytes: Number(row.artifactBytes) },
    createdAt: row.createdAt.toISOString(),
  };
}

export async function saveDataset(db: Db, store: ArtifactStore, name: string, dataset: IngestedDataset): Promise<Dataset> {
  const bytes = encodeDataset(dataset.header, dataset.images);
  const sha256 = sha256Hex(bytes);
  const counts = dataset.header.classes.map((c) => c.count);
  return db.$transaction(async (tx) => {
    await lockArtifact(tx, sha256);
    await putWithin(store, tx, bytes);
    return tx.dataset.create({
      data: {
        name,
        layout: dataset.header.layout,
        classes: counts.length,
        images: counts.reduce((a, b) => a + b, 0),
        minImagesPerClass: Math.min(...counts),
        maxImagesPerClass: Math.max(...counts),
        artifactSha256: sha256,
        artifactBytes: BigInt(bytes.byteLength),
        preprocessing: dataset.header.preprocessing as object,
      },
    });
  }, ARTIFACT_TRANSACTION);
}

export async function findDataset(db: Db, id: string): Promise<Dataset | null> {
  return db.dataset.findUnique({ where: { id } });
}

/** Ids of the queued or running training jobs whose config names this dataset. */
export async function activeJobsUsing(db: Db, id: string): Promise<string[]> {
  const jobs = await db.trainingJob.findMany({
    where: { status: { in: ['queued', 'running'] }, config: { path: ['dataset'], equals: id } },
    select: { id: true },
  });
  return jobs.map((j) => j.id);
}

/** Deletes the row (409 while active jobs use it) and the artifact once no row refers to it. */
export async function deleteDataset(db: Db, store: ArtifactStore, id: string): Promise<void> {
  const row = await findDataset(db, id);
  if (!row) throw new DatasetNotFoundError(id);
  const users = await activeJobsUsing(db, id);
  if (users.length > 0) throw new DatasetInUseError(id, users);
  await db.$transaction(async (tx) => {
    await lockArtifact(tx, row.artifactSha256);
    const { count } = await tx.dataset.deleteMany({ where: { id } });
    if (count === 0) throw new DatasetNotFoundError(id);
    const others = await tx.dataset.count({ where: { artifactSha256: row.artifactSha256 } });
    if (others === 0) await deleteWithin(store, tx, row.artifactSha256);
  }, ARTIFACT_TRANSACTION);
}

/** An uploaded dataset as the training worker uses it: every class, with its name. */
export interface LoadedDataset extends ImageStore {
  readonly id: string;
  readonly name: string;
  readonly layout: DatasetLayout;
  readonly preprocessing: Preprocessing;
  readonly classNames: readonly string[];
}

/** Reads the row and its artifact (sha256-verified by the store) into an ImageStore. */
export async function loadDataset(db: Db, store: ArtifactStore, id: string): Promise<LoadedDataset> {
  const row = await findDataset(db, id);
  if (!row) throw new DatasetNotFoundError(id);
  const { header, images } = decodeDataset(await store.get(row.artifactSha256));
  const classes: number[][] = [];
  let offset = 0;
  for (const c of header.classes) {
    classes.push(Array.from({ length: c.count }, (_, k) => offset + k));
    offset += c.count;
  }
  return validateImageStore({
    id: row.id,
    name: row.name,
    layout: header.layout,
    preprocessing: header.preprocessing,
    images,
    height: header.height,
    width: header.width,
    channels: header.channels,
    classes,
    classNames: header.classes.map((c) => c.name),
  });
}
