/**
 * Makes sure an Omniglot directory exists: when a split is missing and downloading is allowed,
 * fetches `<baseUrl>/<split>.zip` (the official zips of brendenlake/omniglot; OMNIGLOT_URL), extracts
 * it safely into a staging folder inside the target, verifies the content digest (manifest.ts) and
 * moves each split into place with a rename, so a split folder is never partial. The staging folder
 * is inside the target, not beside it, so the rename never crosses file systems (the target may be a
 * volume mounted on its own: EXDEV); stale staging folders of a crashed attempt are removed.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { missingSplits, OmniglotMissingError, type OmniglotSplit } from './layout.ts';
import { manifestDigest, OFFICIAL_DIGESTS } from './manifest.ts';
import { extractZip } from './zip.ts';

export const OMNIGLOT_BASE_URL = 'https://raw.githubusercontent.com/brendenlake/omniglot/master/python';

export interface DownloadProgress {
  readonly split: OmniglotSplit;
  readonly phase: 'download' | 'extract' | 'verify';
  /** Bytes (download) or entries (extract) done so far. */
  readonly done: number;
  /** Content-Length or entry count; null when the server does not say. */
  readonly total: number | null;
}

export interface EnsureOmniglotOptions {
  readonly download: boolean;
  readonly baseUrl?: string;
  readonly expectedDigests?: Readonly<Record<OmniglotSplit, string>>;
  readonly onProgress?: (progress: DownloadProgress) => void;
  /** Largest zip accepted (default 200 MB; the official ones are ~9 and ~6 MB). */
  readonly maxZipBytes?: number;
}

export class DownloadError extends Error {
  constructor(
    readonly url: string,
    readonly status: number | null,
    reason: string,
    cause?: unknown,
  ) {
    super(`download of ${url} failed: ${reason}`);
    this.cause = cause;
  }
}

export class ChecksumMismatchError extends Error {
  constructor(
    readonly split: OmniglotSplit,
    readonly expected: string,
    readonly actual: string,
    readonly files: number,
  ) {
    super(`${split}: content digest ${actual} (${files} PNG files) does not match the expected ${expected}`);
  }
}

export class DownloadDisabledError extends OmniglotMissingError {
  constructor(dir: string, missing: readonly string[]) {
    super(dir, missing);
    this.message +=
      ' and downloading is off: set OMNIGLOT_DIR (on the worker) to a folder holding images_background/ and images_evaluation/,' +
      ' or OMNIGLOT_DOWNLOAD=true to fetch them (about 15 MB), then restart the worker';
  }
}

async function fetchToFile(url: string, file: string, maxBytes: number, progress: (done: number, total: number | null) => void): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow' });
  } catch (error) {
    throw new DownloadError(url, null, (error as Error).message, error);
  }
  if (!response.ok || response.body === null) throw new DownloadError(url, response.status, `HTTP ${response.status}`);
  const length = Number(response.headers.get('content-length'));
  const total = Number.isFinite(length) && length > 0 ? length : null;
  if (total !== null && total > maxBytes) throw new DownloadError(url, response.status, `${total} bytes exceeds the limit of ${maxBytes}`);
  let done = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      done += chunk.length;
      progress(done, total);
      callback(done > maxBytes ? new DownloadError(url, response.status, `more than ${maxBytes} bytes`) : null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), counter, createWriteStream(file));
  } catch (error) {
    throw error instanceof DownloadError ? error : new DownloadError(url, response.status, (error as Error).message, error);
  }
  if (total !== null && done !== total) throw new DownloadError(url, response.status, `got ${done} of ${total} bytes`);
}

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

const STAGING_PREFIX = '.download-';
/** A staging folder older than this is a crashed attempt's (a live one is hours younger). */
const STALE_STAGING_MS = 6 * 3600_000;

async function removeStaleStaging(target: string): Promise<void> {
  for (const name of await readdir(target).catch(() => [] as string[])) {
    if (!name.startsWith(STAGING_PREFIX)) continue;
    const info = await stat(path.join(target, name)).catch(() => null);
    if (info && Date.now() - info.mtimeMs > STALE_STAGING_MS) await rm(path.join(target, name), { recursive: true, force: true });
  }
}

/** Returns the splits it downloaded ([] when the data were already there). */
export async function ensureOmniglot(dir: string, options: EnsureOmniglotOptions): Promise<OmniglotSplit[]> {
  const target = path.resolve(dir);
  const missing = await missingSplits(target);
  if (missing.length === 0) return [];
  if (!options.download) throw new DownloadDisabledError(target, missing);
  const baseUrl = (options.baseUrl ?? OMNIGLOT_BASE_URL).replace(/\/+$/, '');
  const expected = options.expectedDigests ?? OFFICIAL_DIGESTS;
  const created = !(await exists(target));
  await mkdir(target, { recursive: true });
  await removeStaleStaging(target);
  const staging = await mkdtemp(path.join(target, STAGING_PREFIX));
  try {
    const tree = path.join(staging, 'tree');
    for (const split of missing) {
      const report = (phase: DownloadProgress['phase'], done: number, total: number | null) => options.onProgress?.({ split, phase, done, total });
      const zip = path.join(staging, `${split}.zip`);
      await fetchToFile(`${baseUrl}/${split}.zip`, zip, options.maxZipBytes ?? 200_000_000, (done, total) => report('download', done, total));
      await extractZip(zip, tree, { onProgress: (done, total) => report('extract', done, total) });
      await rm(zip);
      report('verify', 0, 1);
      const { digest, files } = await manifestDigest(tree, split);
      if (digest !== expected[split]) throw new ChecksumMismatchError(split, expected[split], digest, files);
      report('verify', 1, 1);
    }
    for (const split of missing) {
      try {
        await rename(path.join(tree, split), path.join(target, split));
      } catch (error) {
        // another process may have put the same split in place meanwhile
        if (!(await missingSplits(target)).includes(split)) continue;
        throw error;
      }
    }
    return missing;
  } finally {
    await rm(staging, { recursive: true, force: true });
    // A failed first attempt leaves no empty target behind (rmdir refuses a non-empty one or a mount point).
    if (created) await rmdir(target).catch(() => undefined);
  }
}
