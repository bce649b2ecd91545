/**
 * Dataset rows and their artifact: an accepted upload's row (processing, with a heartbeat while
 * its API process ingests it), then ready with its stored file or failed with the reason; view,
 * delete, and load a ready one back as an ImageStore for the training worker. Saving and deleting take a transaction-scoped advisory lock
 * on the artifact's sha256, so a delete never removes a file that a concurrent identical upload
 * has just been given.
 */
import type { Preprocessing } from '../../core/types.ts';
import { validateImageStore, type ImageStore } from '../../core/tasks/image-store.ts';
import type { Db } from '../db/client.ts';
import type { Dataset } from '../../generated/prisma/client.ts';
import { deleteWithin, putWithin, type ArtifactStore } from '../storage/artifact-store.ts';
import { DatasetInUseError, DatasetNotFoundError, DatasetNotReadyError } from './errors.ts';
import { decodeDataset, encodeDataset } from './format.ts';
import type { IngestedDataset } from './ingest.ts';
import type { DatasetLayout } from './layout.ts';
import { ARTIFACT_TRANSACTION } from '../storage/pg-artifact-store.ts';
import { sha256Hex } from '../storage/byte-streams.ts';

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

const lockArtifact = (tx: Tx, sha256: string) => tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`dataset:${sha256}`}))`;

/** Why an ingestion failed (a row's `error`): the refusal's code, message and deciding values. */
export interface DatasetFailure {
  readonly code: string;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

/** How long a processing row may go without a heartbeat before it counts as abandoned. */
export const INGESTION_STALE_MS = 60_000;

export function datasetView(row: Dataset) {
  const ready = row.status === 'ready';
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    error: (row.error as DatasetFailure | null) ?? null,
    layout: row.layout,
    classes: row.classes,
    images: row.images,
    imagesPerClass: ready ? { min: row.minImagesPerClass!, max: row.maxImagesPerClass! } : null,
    preprocessing: row.preprocessing as unknown as Preprocessing,
    artifact: ready ? { sha256: row.artifactSha256!, bytes: Number(row.artifactBytes) } : null,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The row of an accepted upload, before its images are decoded (status processing). */
export async function createPendingDataset(db: Db, name: string, preprocessing: Preprocessing): Promise<Dataset> {
  return db.dataset.create({ data: { name, status: 'processing', heartbeatAt: new Date(), preprocessing: preprocessing as object } });
}

/** The ingesting process is alive (status processing). */
export async function heartbeatDataset(db: Db, id: string): Promise<void> {
  await db.dataset.updateMany({ where: { id, status: 'processing' }, data: { heartbeatAt: new Date() } });
}

/** Ingestion failed: the row keeps the reason; nothing was stored. False when the row is gone or done. */
export async function failDataset(db: Db, id: string, error: DatasetFailure): Promise<boolean> {
  const { count } = await db.dataset.updateMany({ where: { id, status: 'processing' }, data: { status: 'failed', error: error as object, heartbeatAt: null } });
  return count === 1;
}

/** Processing rows whose ingesting process stopped (no heartbeat for INGESTION_STALE_MS) become failed. */
export async function failAbandonedDatasets(db: Db, now = Date.now()): Promise<number> {
  const { count } = await db.dataset.updateMany({
    where: { status: 'processing', heartbeatAt: { lt: new Date(now - INGESTION_STALE_MS) } },
    data: {
      status: 'failed',
      error: { code: 'INGESTION_INTERRUPTED', message: 'the API process ingesting this upload stopped; upload it again' },
      heartbeatAt: null,
    },
  });
  return count;
}

/**
 * Stores the ingested dataset's file and makes its row ready. If the row was deleted or failed
 * meanwhile, nothing is stored and DatasetNotFoundError is thrown.
 */
export async function completeDataset(db: Db, store: ArtifactStore, id: string, dataset: IngestedDataset): Promise<Dataset> {
  const bytes = encodeDataset(dataset.header, dataset.images);
  const sha256 = sha256Hex(bytes);
  const counts = dataset.header.classes.map((c) => c.count);
  return db.$transaction(async (tx) => {
    await lockArtifact(tx, sha256);
    const { count } = await tx.dataset.updateMany({
      where: { id, status: 'processing' },
      data: {
        status: 'ready',
        heartbeatAt: null,
        layout: dataset.header.layout,
        classes: counts.length,
        images: counts.reduce((a, b) => a + b, 0),
        minImagesPerClass: Math.min(...counts),
        maxImagesPerClass: Math.max(...counts),
        artifactSha256: sha256,
        artifactBytes: BigInt(bytes.byteLength),
      },
    });
    if (count === 0) throw new DatasetNotFoundError(id); // rolls back: no artifact without its row
    await putWithin(store, tx, bytes);
    return tx.dataset.findUniqueOrThrow({ where: { id } });
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
  if (row.status === 'processing') throw new DatasetNotReadyError(id, row.status);
  const users = await activeJobsUsing(db, id);
  if (users.length > 0) throw new DatasetInUseError(id, users);
  const sha256 = row.artifactSha256;
  await db.$transaction(async (tx) => {
    if (sha256) await lockArtifact(tx, sha256);
    const { count } = await tx.dataset.deleteMany({ where: { id, status: { not: 'processing' } } });
    if (count === 0) throw new DatasetNotFoundError(id);
    if (sha256 && (await tx.dataset.count({ where: { artifactSha256: sha256 } })) === 0) await deleteWithin(store, tx, sha256);
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
  if (row.status !== 'ready' || !row.artifactSha256) throw new DatasetNotReadyError(id, row.status);
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
