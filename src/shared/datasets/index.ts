/** Uploaded datasets: what the API and the training worker use. */
export { DatasetFormatError, DatasetInUseError, DatasetNotFoundError, DatasetNotReadyError, DatasetRejectedError } from './errors.ts';
export { decodeDataset, encodeDataset, type DatasetHeader } from './format.ts';
export { checkArchive, ingestArchive, type IngestedDataset, type IngestOptions } from './ingest.ts';
export { MIN_CLASSES, MIN_IMAGES_PER_CLASS, planDataset, type DatasetLayout, type DatasetPlan } from './layout.ts';
export {
  activeJobsUsing,
  completeDataset,
  createPendingDataset,
  datasetView,
  deleteDataset,
  failAbandonedDatasets,
  failDataset,
  findDataset,
  heartbeatDataset,
  INGESTION_STALE_MS,
  loadDataset,
  type LoadedDataset,
} from './repository.ts';
export { DatasetSplitError, loadDatasetSplits, splitDataset, type DatasetSplitOptions, type DatasetSplits } from './splits.ts';
