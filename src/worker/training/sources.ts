/** The task source of a job's dataset, loading (and caching per thread) what it needs. */
import type { Config } from '../../shared/config.ts';
import type { Preprocessing } from '../../core/types.ts';
import { ensureOmniglot, loadOmniglot, OMNIGLOT_PREPROCESSING } from '../../data/omniglot/index.ts';
import { loadDatasetSplits } from '../../shared/datasets/index.ts';
import type { Db } from '../../shared/db/client.ts';
import type { ArtifactStore } from '../../shared/storage/artifact-store.ts';
import { isUploadedDataset, type TrainingConfig } from '../../shared/jobs/training-config.ts';
import { imageSource, sinusoidSource, type ImageSplits, type TaskSource } from './task-source.ts';

const omniglot = new Map<string, Promise<ImageSplits>>();

export const OMNIGLOT_MODEL_PREPROCESSING: Preprocessing = {
  ...OMNIGLOT_PREPROCESSING,
  resize: 'area',
  normalisation: OMNIGLOT_PREPROCESSING.normalisation ?? { mean: 0, std: 1 },
};

export function omniglotSplits(
  config: Pick<Config, 'omniglotDir' | 'omniglotDownload' | 'cacheDir'> & Partial<Pick<Config, 'omniglotUrl'>>,
  size: number,
): Promise<ImageSplits> {
  const key = `${config.omniglotDir}|${size}`;
  let entry = omniglot.get(key);
  if (!entry) {
    entry = (async () => {
      await ensureOmniglot(config.omniglotDir, { download: config.omniglotDownload, ...(config.omniglotUrl ? { baseUrl: config.omniglotUrl } : {}) });
      const preprocessing = { ...OMNIGLOT_MODEL_PREPROCESSING, size };
      const data = await loadOmniglot({ dir: config.omniglotDir, cacheDir: config.cacheDir, preprocessing });
      return { train: data.train, validation: data.validation, test: data.test, preprocessing };
    })();
    entry.catch(() => omniglot.delete(key));
    omniglot.set(key, entry);
  }
  return entry;
}

export interface DatasetAccess {
  readonly db: Db;
  readonly store: ArtifactStore;
}

export async function taskSourceFor(
  training: TrainingConfig,
  config: Pick<Config, 'omniglotDir' | 'omniglotDownload' | 'cacheDir'> & Partial<Pick<Config, 'omniglotUrl'>>,
  datasets?: DatasetAccess,
): Promise<TaskSource> {
  if (training.dataset === 'sinusoid') return sinusoidSource(training);
  if (isUploadedDataset(training.dataset)) {
    if (!datasets) throw new Error(`dataset ${training.dataset} is an uploaded dataset: it needs the service's database`);
    return imageSource(training, await loadDatasetSplits(datasets.db, datasets.store, training.dataset, { nWay: training.nWay }));
  }
  return imageSource(training, await omniglotSplits(config, training.architecture.inputSize));
}
