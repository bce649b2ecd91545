/**
 * Uploaded datasets (admin): `POST /datasets` (multipart zip → validated, preprocessed, stored),
 * `GET /datasets`, `GET /datasets/:id`, `DELETE /datasets/:id` (409 while a queued or running
 * job uses it). Uploads are ingested one at a time per API process: each holds its preprocessed
 * arrays in memory (up to DATASET_MAX_PREPROCESSED_BYTES).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { DatasetLimits } from '../../../shared/config.ts';
import type { Preprocessing } from '../../../core/types.ts';
import type { Db } from '../../../shared/db/client.ts';
import { HttpError, NotFoundError } from '../../../shared/errors.ts';
import { DatasetNotFoundError } from '../../../shared/datasets/errors.ts';
import { ingestArchive } from '../../../shared/datasets/ingest.ts';
import { datasetView, deleteDataset, findDataset, saveDataset } from '../../../shared/datasets/repository.ts';
import type { ArtifactStore } from '../../../shared/storage/artifact-store.ts';
import { validateFields } from '../../contract/multipart.ts';
import { routeOptions } from '../../contract/route.ts';
import { createDatasetRoute, datasetUpload, deleteDatasetRoute, getDatasetRoute, listDatasetsRoute } from './schemas.ts';
import { receiveUpload } from './upload.ts';

export interface DatasetRoutesOptions {
  readonly db: Db;
  readonly store: ArtifactStore;
  readonly limits: DatasetLimits;
  readonly maxImagePixels: number;
}

function invalid(field: string, message: string): HttpError {
  return new HttpError(400, 'VALIDATION_ERROR', `body/${field} ${message}`);
}

/** The preprocessing of an upload's images from its checked settings (resize and normalisation fixed). */
export function uploadPreprocessing(settings: { size: number; channels: 1 | 3; invert: boolean }): Preprocessing {
  return { size: settings.size, channels: settings.channels, invert: settings.invert, resize: 'area', normalisation: { mean: 0, std: 1 } };
}

export default async function datasetRoutes(fastify: FastifyInstance, options: DatasetRoutesOptions): Promise<void> {
  const { db, store, limits } = options;
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  let queue: Promise<unknown> = Promise.resolve();

  app.route({ ...routeOptions(createDatasetRoute), handler: async (request, reply) => {
    const upload = await receiveUpload(request, limits.maxArchiveBytes, datasetUpload);
    try {
      if (upload.file === null) throw invalid('archive', 'is required: a zip file part named "archive"');
      const { name, ...settings } = validateFields(request, datasetUpload, upload.fields);
      const preprocessing = uploadPreprocessing(settings);
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
  } });

  app.route({ ...routeOptions(listDatasetsRoute), handler: async (request) => {
    const rows = await db.dataset.findMany({ orderBy: { createdAt: 'desc' }, take: request.query.limit });
    return { datasets: rows.map(datasetView) };
  } });

  app.route({ ...routeOptions(getDatasetRoute), handler: async (request) => {
    const row = await findDataset(db, request.params.id);
    if (!row) throw new NotFoundError('dataset', request.params.id);
    return datasetView(row);
  } });

  app.route({ ...routeOptions(deleteDatasetRoute), handler: async (request, reply) => {
    try {
      await deleteDataset(db, store, request.params.id);
    } catch (error) {
      if (error instanceof DatasetNotFoundError) throw new NotFoundError('dataset', request.params.id);
      throw error;
    }
    return reply.status(204).send();
  } });
}
