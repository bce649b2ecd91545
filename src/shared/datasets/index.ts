/** Uploaded datasets: what the API and the training worker use. */
export { DatasetFormatError, DatasetInUseError, DatasetNotFoundError, DatasetRejectedError } from './errors.ts';
export { decodeDataset, encodeDataset, type DatasetHeader } from './format.ts';
export { ingestArchive, type IngestedDataset, type IngestOptions } from './ingest.ts';
export { MIN_CLASSES, MIN_IMAGES_PER_CLASS, planDataset, type DatasetLayout, type DatasetPlan } from './layout.ts';
export { activeJobsUsing, datasetView, deleteDataset, findDataset, loadDataset, saveDataset, type LoadedDataset } from './repository.ts';
export { DatasetSplitError, loadDatasetSplits, splitDataset, type DatasetSplitOptions, type DatasetSplits } from './splits.ts';
