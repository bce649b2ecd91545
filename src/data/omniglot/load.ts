/**
 * Loads Omniglot as class-indexed image stores (train / validation / test), preprocessing every
 * PNG with the serving path's preprocessImage and caching the result in one binary file.
 */
import { availableParallelism } from 'node:os';
import type { ImageStore } from '../../core/tasks/image-store.ts';
import type { PreprocessOptions } from '../image/preprocess.ts';
import { cacheFile, readCache, writeCache, type CacheHeader, type CacheKey, type CacheRead } from './cache.ts';
import { indexOmniglot, listingDigest } from './layout.ts';
import { preprocessFiles } from './preprocess-files.ts';
import { assignSplits, DEFAULT_SPLIT, type SplitName, type SplitOptions } from './splits.ts';

/** Bump when preprocessing or the image order changes: old caches become stale. */
export const LOADER_VERSION = 1;

const defaultThreads = () => Math.min(4, availableParallelism());

export const OMNIGLOT_PREPROCESSING: PreprocessOptions = { size: 28, channels: 1, invert: true };

export interface LoadOmniglotOptions {
  readonly dir: string;
  /** Where the cache file lives; without it nothing is cached. */
  readonly cacheDir?: string;
  readonly preprocessing?: PreprocessOptions;
  readonly validation?: SplitOptions;
  /** Worker threads for a fresh load (default: the cores, at most 4, from 2,000 images on; 1 = this thread). */
  readonly threads?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface OmniglotData {
  readonly train: ImageStore;
  readonly validation: ImageStore;
  readonly test: ImageStore;
  readonly preprocessing: PreprocessOptions;
  readonly imageCount: number;
  readonly source: 'cache' | 'images';
  /** Why the cache was not used (missing, stale, corrupt, disabled). */
  readonly cacheNote: string;
  readonly cacheFile: string | null;
  readonly timingsMs: { readonly index: number; readonly images: number; readonly total: number };
}

function stores(header: CacheHeader, images: Float32Array, splits: readonly SplitName[]): Record<SplitName, ImageStore> {
  const lists: Record<SplitName, { classes: number[][]; classNames: string[] }> = {
    train: { classes: [], classNames: [] },
    validation: { classes: [], classNames: [] },
    test: { classes: [], classNames: [] },
  };
  let offset = 0;
  header.classes.forEach((c, i) => {
    const list = lists[splits[i]!];
    list.classes.push(Array.from({ length: c.count }, (_, k) => offset + k));
    list.classNames.push(`${c.alphabet}/${c.character}`);
    offset += c.count;
  });
  const shape = { images, height: header.height, width: header.width, channels: header.channels };
  return {
    train: { ...shape, ...lists.train },
    validation: { ...shape, ...lists.validation },
    test: { ...shape, ...lists.test },
  };
}

export async function loadOmniglot(options: LoadOmniglotOptions): Promise<OmniglotData> {
  const start = performance.now();
  const preprocessing = options.preprocessing ?? OMNIGLOT_PREPROCESSING;
  const index = await indexOmniglot(options.dir);
  const digest = listingDigest(index);
  const indexed = performance.now();
  const key: CacheKey = {
    source: index.dir,
    size: preprocessing.size,
    channels: preprocessing.channels,
    invert: preprocessing.invert,
    normalisation: preprocessing.normalisation ?? { mean: 0, std: 1 },
    loaderVersion: LOADER_VERSION,
  };
  const file = options.cacheDir === undefined ? null : cacheFile(options.cacheDir, key);
  const cached: CacheRead = file === null ? { status: 'missing', reason: 'no cache directory' } : await readCache(file, key, digest);
  let header: CacheHeader;
  let images: Float32Array;
  if (cached.status === 'hit') {
    ({ header, images } = cached);
  } else {
    const files = index.characters.flatMap((c) => c.files);
    const threads = options.threads ?? (files.length >= 2000 ? defaultThreads() : 1);
    images = await preprocessFiles(index.dir, files, preprocessing, threads, options.onProgress);
    header = {
      key,
      listingDigest: digest,
      height: preprocessing.size,
      width: preprocessing.size,
      channels: preprocessing.channels,
      classes: index.characters.map((c) => ({ split: c.split, alphabet: c.alphabet, character: c.character, count: c.files.length })),
    };
    if (file !== null) await writeCache(file, header, images);
  }
  const loaded = performance.now();
  const splits = assignSplits(header.classes, options.validation ?? DEFAULT_SPLIT);
  return {
    ...stores(header, images, splits),
    preprocessing,
    imageCount: index.imageCount,
    source: cached.status === 'hit' ? 'cache' : 'images',
    cacheNote: cached.status === 'hit' ? `read ${file}` : cached.reason,
    cacheFile: file,
    timingsMs: { index: indexed - start, images: loaded - indexed, total: performance.now() - start },
  };
}
