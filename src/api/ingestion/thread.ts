/**
 * The dataset ingestion thread: inflates, checks and preprocesses every image of an accepted upload
 * (src/shared/datasets/ingest.ts), off the API's event loop. A refusal comes back as data (an
 * Error's class and details do not survive the thread boundary); the preprocessed images come
 * back as a transferred buffer, not a copy.
 */
import { Piscina } from 'piscina';
import type { Preprocessing } from '../../core/types.ts';
import type { DatasetLimits } from '../../shared/config.ts';
import { DatasetRejectedError } from '../../shared/datasets/errors.ts';
import { ingestArchive, type IngestedDataset } from '../../shared/datasets/ingest.ts';

export interface IngestRequest {
  readonly file: string;
  readonly limits: DatasetLimits;
  readonly maxImagePixels: number;
  readonly preprocessing: Preprocessing;
}

export type IngestResponse =
  | { readonly dataset: IngestedDataset }
  | { readonly rejected: { readonly code: string; readonly message: string; readonly details?: Record<string, unknown> } };

export default async function run(request: IngestRequest): Promise<IngestResponse> {
  try {
    const dataset = await ingestArchive(request.file, request);
    const response: IngestResponse = { dataset };
    // piscina's Transferable protocol: `response` is posted with the images' buffer moved, not copied.
    const movable = { [Piscina.transferableSymbol]: [dataset.images.buffer], [Piscina.valueSymbol]: response };
    return Piscina.move(movable as never) as unknown as IngestResponse;
  } catch (error) {
    if (error instanceof DatasetRejectedError)
      return { rejected: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } };
    throw error;
  }
}
