/**
 * Uploaded datasets (admin): `POST /datasets` (multipart zip: its central directory checked, then
 * 202 with the row, status processing, while src/api/ingestion decodes the images off the event
 * loop), `GET /datasets`, `GET /datasets/:id` (status processing → ready or failed with the
 * reason), `DELETE /datasets/:id` (409 while it is processing or a queued or running job uses it).
 */
import type { FastifyInstance } from 'fastify';
import type { DatasetLimits } from '../../../shared/config.ts';
import type { Preprocessing } from '../../../core/types.ts';
import type { Db } from '../../../shared/db/client.ts';
import { HttpError, NotFoundError } from '../../../shared/errors.ts';
import { DatasetNotFoundError } from '../../../shared/datasets/errors.ts';
import { checkArchive } from '../../../shared/datasets/ingest.ts';
import { createPendingDataset, datasetView, deleteDataset, failAbandonedDatasets, findDataset } from '../../../shared/datasets/repository.ts';
import type { DatasetIngestion } from '../../ingestion/ingestion.ts';
import type { ArtifactStore } from '../../../shared/storage/artifact-store.ts';
import { createDatasetSchema, deleteDatasetSchema, getDatasetSchema, listDatasetsSchema } from './schemas.ts';
import { receiveUpload } from './upload.ts';

export interface DatasetRoutesOptions {
  readonly db: Db;
  readonly store: ArtifactStore;
  readonly ingestion: DatasetIngestion;
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
  const { db, limits, ingestion } = options;

  app.post('/datasets', { config: { auth: 'admin' }, schema: createDatasetSchema }, async (request, reply) => {
    const upload = await receiveUpload(request, limits.maxArchiveBytes);
    let handedOver = false;
    try {
      if (upload.file === null) throw invalid('archive', 'is required: a zip file part named "archive"');
      const { name, preprocessing } = uploadSettings(upload.fields);
      // What the central directory alone decides (safety, limits, layout) is answered now; the images are the job's.
      await checkArchive(upload.file, { limits, maxImagePixels: options.maxImagePixels, preprocessing });
      ingestion.assertAccepting();
      const row = await createPendingDataset(db, name, preprocessing);
      ingestion.start({ datasetId: row.id, file: upload.file, preprocessing, cleanup: upload.cleanup, log: request.log });
      handedOver = true;
      request.log.info({ datasetId: row.id, archiveBytes: upload.bytes }, 'dataset upload accepted');
      return reply.status(202).header('location', `/datasets/${row.id}`).send(datasetView(row));
    } finally {
      if (!handedOver) await upload.cleanup();
    }
  });

  app.get<{ Querystring: { limit: number } }>('/datasets', { config: { auth: 'admin' }, schema: listDatasetsSchema }, async (request) => {
    await failAbandonedDatasets(db);
    const rows = await db.dataset.findMany({ orderBy: { createdAt: 'desc' }, take: request.query.limit });
    return { datasets: rows.map(datasetView) };
  });

  app.get<{ Params: { id: string } }>('/datasets/:id', { config: { auth: 'admin' }, schema: getDatasetSchema }, async (request) => {
    await failAbandonedDatasets(db);
    const row = await findDataset(db, request.params.id);
    if (!row) throw new NotFoundError('dataset', request.params.id);
    return datasetView(row);
  });

  app.delete<{ Params: { id: string } }>('/datasets/:id', { config: { auth: 'admin' }, schema: deleteDatasetSchema }, async (request, reply) => {
    try {
      await deleteDataset(db, options.store, request.params.id);
    } catch (error) {
      if (error instanceof DatasetNotFoundError) throw new NotFoundError('dataset', request.params.id);
      throw error;
    }
    return reply.status(204).send();
  });
}
