/**
 * Uploaded datasets (admin): `POST /datasets` (multipart zip: its central directory checked, then
 * 202 with the row, status processing, while src/api/ingestion decodes the images off the event
 * loop), `GET /datasets`, `GET /datasets/:id` (status processing → ready or failed with the
 * reason), `DELETE /datasets/:id` (409 while it is processing or a queued or running job uses it).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { DatasetLimits } from '../../../shared/config.ts';
import type { Preprocessing } from '../../../core/types.ts';
import type { Db } from '../../../shared/db/client.ts';
import { HttpError, NotFoundError } from '../../../shared/errors.ts';
import { DatasetNotFoundError } from '../../../shared/datasets/errors.ts';
import { checkArchive } from '../../../shared/datasets/ingest.ts';
import { createPendingDataset, datasetView, deleteDataset, failAbandonedDatasets, findDataset } from '../../../shared/datasets/repository.ts';
import type { DatasetIngestion } from '../../ingestion/ingestion.ts';
import type { ArtifactStore } from '../../../shared/storage/artifact-store.ts';
import { validateFields } from '../../contract/multipart.ts';
import { routeOptions } from '../../contract/route.ts';
import { createDatasetRoute, datasetUpload, deleteDatasetRoute, getDatasetRoute, listDatasetsRoute } from './schemas.ts';
import { receiveUpload } from './upload.ts';

export interface DatasetRoutesOptions {
  readonly db: Db;
  readonly store: ArtifactStore;
  readonly ingestion: DatasetIngestion;
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
  const { db, store, limits, ingestion } = options;
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.route({
    ...routeOptions(createDatasetRoute),
    handler: async (request, reply) => {
      const upload = await receiveUpload(request, limits.maxArchiveBytes, datasetUpload);
      let handedOver = false;
      try {
        if (upload.file === null) throw invalid('archive', 'is required: a zip file part named "archive"');
        const { name, ...settings } = validateFields(request, datasetUpload, upload.fields);
        const preprocessing = uploadPreprocessing(settings);
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
    },
  });

  app.route({
    ...routeOptions(listDatasetsRoute),
    handler: async (request) => {
      await failAbandonedDatasets(db);
      const rows = await db.dataset.findMany({ orderBy: { createdAt: 'desc' }, take: request.query.limit });
      return { datasets: rows.map(datasetView) };
    },
  });

  app.route({
    ...routeOptions(getDatasetRoute),
    handler: async (request) => {
      await failAbandonedDatasets(db);
      const row = await findDataset(db, request.params.id);
      if (!row) throw new NotFoundError('dataset', request.params.id);
      return datasetView(row);
    },
  });

  app.route({
    ...routeOptions(deleteDatasetRoute),
    handler: async (request, reply) => {
      try {
        await deleteDataset(db, store, request.params.id);
      } catch (error) {
        if (error instanceof DatasetNotFoundError) throw new NotFoundError('dataset', request.params.id);
        throw error;
      }
      return reply.status(204).send();
    },
  });
}
