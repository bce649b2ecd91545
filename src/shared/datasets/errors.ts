/**
 * Why a dataset was refused or cannot be read. Domain errors without HTTP statuses: the API maps
 * them (src/api/plugins/error-mapping.ts).
 */

/** Why an upload was refused: a malformed or unsafe archive, a limit exceeded, or not a usable dataset. */
export type DatasetRejection = 'malformed' | 'over-limit' | 'unusable';

/** An upload refused: the kind of refusal, a code and the values that decided it (entry name, limit, actual). */
export class DatasetRejectedError extends Error {
  constructor(
    readonly rejection: DatasetRejection,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DatasetRejectedError';
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
export class DatasetInUseError extends Error {
  readonly code = 'DATASET_IN_USE';

  constructor(
    readonly datasetId: string,
    readonly jobIds: readonly string[],
  ) {
    super(`dataset ${datasetId} is used by ${jobIds.length} queued or running training job(s)`);
    this.name = 'DatasetInUseError';
  }
}

/** A dataset still being ingested (or whose ingestion failed) where a ready one is needed. */
export class DatasetNotReadyError extends Error {
  readonly code = 'DATASET_NOT_READY';

  constructor(
    readonly datasetId: string,
    readonly status: string,
  ) {
    super(
      status === 'processing' ? `dataset ${datasetId} is still being ingested; wait until its status is ready` : `dataset ${datasetId} is ${status}, not ready`,
    );
    this.name = 'DatasetNotReadyError';
  }
}
