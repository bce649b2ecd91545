/**
 * Uploaded datasets (admin): `POST /datasets` (multipart zip → validated, preprocessed, stored),
 * `GET /datasets`, `GET /datasets/:id`, `DELETE /datasets/:id` (409 while a queued or running
 * job uses it). Uploads are ingested one at a time per API process: each holds its preprocessed
 * arrays in memory (up to DATASET_MAX_PREPROCESSED_BYTES).
 */
import type { FastifyInstance } from 'fastify';
import type { DatasetLimits } from '../../../shared/config.ts';
import type { Preprocessing } from '../../../core/types.ts';
import type { Db } from '../../../shared/db/client.ts';
import { HttpError, NotFoundError } from '../../../shared/errors.ts';
import { DatasetNotFoundError } from '../../../shared/datasets/errors.ts';
import { ingestArchive } from '../../../shared/datasets/ingest.ts';
import { datasetView, deleteDataset, findDataset, saveDataset } from '../../../shared/datasets/repository.ts';
import type { ArtifactStore } from '../../../shared/storage/artifact-store.ts';
import { createDatasetSchema, deleteDatasetSchema, getDatasetSchema, listDatasetsSchema } from './schemas.ts';
import { receiveUpload } from './upload.ts';

export interface DatasetRoutesOptions {
  readonly db: Db;
  readonly store: ArtifactStore;
  readonly limits: DatasetLimits;
  readonly maxImagePixels: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

function invalid(field: string, message: string): HttpError {
  return new HttpError(400, 'VALIDATION_ERROR', `body/${field} ${message}`);
}

/** The text fields of the upload: name, and the preprocessing (defaults: Omniglot's, 28×28 gray, inverted). */
export function uploadSettings(fields: Readonly<Record<string, string>>): { name: string; preprocessing: Preprocessing } {
  const name = fields.name?.trim() ?? '';
  if (!NAME.test(name)) throw invalid('name', 'is required: 1–100 letters, digits, ".", "_" or "-", starting with a letter or digit');
  const size = Number(fields.size ?? 28);
  if (!Number.isInteger(size) || size < 8 || size > 128) throw invalid('size', `must be an integer from 8 to 128 (got ${JSON.stringify(fields.size)})`);
  const channels = Number(fields.channels ?? 1);
  if (channels !== 1 && channels !== 3) throw invalid('channels', `must be 1 (gray) or 3 (RGB) (got ${JSON.stringify(fields.channels)})`);
  const invert = fields.invert ?? 'true';
  if (invert !== 'true' && invert !== 'false') throw invalid('invert', `must be true or false (got ${JSON.stringify(invert)})`);
  return { name, preprocessing: { size, channels, invert: invert === 'true', resize: 'area', normalisation: { mean: 0, std: 1 } } };
}

export default async function datasetRoutes(app: FastifyInstance, options: DatasetRoutesOptions): Promise<void> {
  const { db, store, limits } = options;
  let queue: Promise<unknown> = Promise.resolve();

  app.post('/datasets', { config: { auth: 'admin' }, schema: createDatasetSchema }, async (request, reply) => {
    const upload = await receiveUpload(request, limits.maxArchiveBytes);
    try {
      if (upload.file === null) throw invalid('archive', 'is required: a zip file part named "archive"');
      const { name, preprocessing } = uploadSettings(upload.fields);
      const file = upload.file;
      const run = queue.then(async () => {
        const ingested = await ingestArchive(file, { limits, maxImagePixels: options.maxImagePixels, preprocessing });
        const row = await saveDataset(db, store, name, ingested);
        request.log.info({ datasetId: row.id, classes: row.classes, images: row.images, archiveBytes: upload.bytes, timingsMs: ingested.timingsMs }, 'dataset stored');
        return row;
      });
      queue = run.catch(() => undefined);
      return reply.status(201).send(datasetView(await run));
    } finally {
      await upload.cleanup();
    }
  });

  app.get<{ Querystring: { limit: number } }>('/datasets', { config: { auth: 'admin' }, schema: listDatasetsSchema }, async (request) => {
    const rows = await db.dataset.findMany({ orderBy: { createdAt: 'desc' }, take: request.query.limit });
    return { datasets: rows.map(datasetView) };
  });

  app.get<{ Params: { id: string } }>('/datasets/:id', { config: { auth: 'admin' }, schema: getDatasetSchema }, async (request) => {
    const row = await findDataset(db, request.params.id);
    if (!row) throw new NotFoundError('dataset', request.params.id);
    return datasetView(row);
  });

  app.delete<{ Params: { id: string } }>('/datasets/:id', { config: { auth: 'admin' }, schema: deleteDatasetSchema }, async (request, reply) => {
    try {
      await deleteDataset(db, store, request.params.id);
    } catch (error) {
      if (error instanceof DatasetNotFoundError) throw new NotFoundError('dataset', request.params.id);
      throw error;
    }
    return reply.status(204).send();
  });
}
