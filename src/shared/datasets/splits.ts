/**
 * Train / validation / test splits of an uploaded dataset by class (validation and test tasks
 * use classes never seen in training, as for Omniglot's held-out characters). The split is a
 * property of the dataset, not of the job: a fixed seed, so every job on a dataset is evaluated
 * on the same classes. Each split needs at least nWay classes.
 */
import { Rng } from '../../core/tasks/rng.ts';
import type { ImageStore } from '../../core/tasks/image-store.ts';
import type { Preprocessing } from '../../core/types.ts';
import type { Db } from '../db/client.ts';
import type { ArtifactStore } from '../storage/artifact-store.ts';
import { loadDataset, type LoadedDataset } from './repository.ts';

export interface DatasetSplitOptions {
  readonly nWay: number;
  /** Share of the classes held out for validation (default 0.1) and for the final test (default 0.2). */
  readonly validationFraction?: number;
  readonly testFraction?: number;
  readonly seed?: number;
}

export interface DatasetSplits {
  readonly train: ImageStore;
  readonly validation: ImageStore;
  readonly test: ImageStore;
  readonly preprocessing: Preprocessing;
}

/** The dataset has too few classes for nWay-way tasks in three disjoint splits. */
export class DatasetSplitError extends Error {
  constructor(
    readonly classes: number,
    readonly nWay: number,
    readonly needed: number,
  ) {
    super(`the dataset has ${classes} classes; ${nWay}-way training with held-out validation and test classes needs at least ${needed}`);
  }
}

export function splitDataset(dataset: LoadedDataset, options: DatasetSplitOptions): DatasetSplits {
  const n = dataset.classes.length;
  const { nWay } = options;
  const test = Math.max(nWay, Math.round(n * (options.testFraction ?? 0.2)));
  const validation = Math.max(nWay, Math.round(n * (options.validationFraction ?? 0.1)));
  if (n - test - validation < nWay) throw new DatasetSplitError(n, nWay, 3 * nWay);
  const order = new Rng(options.seed ?? 0).fork('dataset-split').sample(n, n);
  const pick = (from: number, to: number): ImageStore => {
    const chosen = order.slice(from, to).sort((a, b) => a - b);
    return {
      images: dataset.images,
      height: dataset.height,
      width: dataset.width,
      channels: dataset.channels,
      classes: chosen.map((c) => dataset.classes[c]!),
      classNames: chosen.map((c) => dataset.classNames[c]!),
    };
  };
  return {
    test: pick(0, test),
    validation: pick(test, test + validation),
    train: pick(test + validation, n),
    preprocessing: dataset.preprocessing,
  };
}

/** loadDataset + splitDataset: what the training worker needs for `dataset: "<uuid>"`. */
export async function loadDatasetSplits(db: Db, store: ArtifactStore, id: string, options: DatasetSplitOptions): Promise<DatasetSplits> {
  return splitDataset(await loadDataset(db, store, id), options);
}
