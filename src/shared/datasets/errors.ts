/** Why a dataset was refused or cannot be read. */
import { HttpError } from '../errors.ts';

/**
 * An upload refused with its status (400 malformed or unsafe archive, 413 over a limit, 422 not
 * a usable dataset), a code and the values that decided it (entry name, limit, actual).
 */
export class DatasetRejectedError extends HttpError {
  constructor(statusCode: 400 | 413 | 422, code: string, message: string, details?: Record<string, unknown>) {
    super(statusCode, code, message, details);
  }
}

/** A stored dataset file that does not parse (wrong magic, version, or sizes that disagree). */
export class DatasetFormatError extends Error {
  constructor(readonly reason: string) {
    super(`not a dataset file: ${reason}`);
  }
}

export class DatasetNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`dataset ${JSON.stringify(id)} not found`);
  }
}

/** DELETE of a dataset that queued or running training jobs still need. */
export class DatasetInUseError extends HttpError {
  constructor(readonly datasetId: string, readonly jobIds: readonly string[]) {
    super(409, 'DATASET_IN_USE', `dataset ${datasetId} is used by ${jobIds.length} queued or running training job(s)`, { jobIds });
  }
}

/** A dataset still being ingested (or whose ingestion failed) where a ready one is needed. */
export class DatasetNotReadyError extends HttpError {
  constructor(readonly datasetId: string, readonly status: string) {
    super(409, 'DATASET_NOT_READY', status === 'processing' ? `dataset ${datasetId} is still being ingested; wait until its status is ready` : `dataset ${datasetId} is ${status}, not ready`, { status });
  }
}
