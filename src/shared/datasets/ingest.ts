/**
 * An uploaded zip → preprocessed dataset, refusing anything unsafe or unusable as early as
 * possible: the central directory is scanned (limits, names, types) and the class layout planned
 * before a byte is inflated; then each planned image is inflated into memory (one at a time, its
 * size bound by the declared size that the scan checked), sniffed, size-checked and preprocessed
 * with the service's one preprocessImage. Nothing is written to disk: extracting Omniglot's
 * 19,280 files to a temporary folder first took longer than all the decoding. ingestArchive is CPU
 * work (it runs on the API's ingestion thread, src/api/ingestion); checkArchive is not.
 */
import type yauzl from 'yauzl';
import type { DatasetLimits } from '../config.ts';
import type { Preprocessing } from '../../core/types.ts';
import { InvalidImageError, preprocessImage } from '../../data/image/preprocess.ts';
import { openArchive, scanArchive } from './archive-scan.ts';
import { DatasetRejectedError } from './errors.ts';
import type { DatasetHeader } from './format.ts';
import { checkImage } from './image-check.ts';
import { planDataset } from './layout.ts';

export interface IngestOptions {
  readonly limits: DatasetLimits;
  /** Per image, width × height (MAX_IMAGE_PIXELS). */
  readonly maxImagePixels: number;
  readonly preprocessing: Preprocessing;
}

export interface IngestedDataset {
  readonly header: DatasetHeader;
  readonly images: Float32Array;
  readonly ignoredEntries: number;
  readonly timingsMs: { readonly scan: number; readonly images: number };
}

/** The entry's bytes; yauzl (validateEntrySizes) fails the stream if they differ from the declared size. */
async function inflate(zip: yauzl.ZipFile, entry: yauzl.Entry, name: string): Promise<Buffer> {
  try {
    const stream = await zip.openReadStreamPromise(entry);
    const chunks: Buffer[] = [];
    let length = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      length += chunk.length;
      if (length > entry.uncompressedSize) throw new Error(`more than the declared ${entry.uncompressedSize} bytes`);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks, length);
  } catch (error) {
    throw new DatasetRejectedError('malformed', 'INVALID_ARCHIVE', `entry ${JSON.stringify(name)} cannot be read: ${(error as Error).message}`, {
      entry: name,
    });
  }
}

async function imageOf(bytes: Buffer, name: string, options: IngestOptions): Promise<Float32Array> {
  await checkImage(bytes, name, options.maxImagePixels);
  try {
    return await preprocessImage(bytes, options.preprocessing);
  } catch (error) {
    if (!(error instanceof InvalidImageError)) throw error;
    throw new DatasetRejectedError('unusable', 'INVALID_IMAGE', `${JSON.stringify(name)} cannot be decoded: ${error.reason}`, { entry: name });
  }
}

/** The central directory scanned and the class layout planned: every refusal that needs no inflating. */
async function planArchive(zip: yauzl.ZipFile, options: IngestOptions) {
  const { limits, preprocessing } = options;
  const scanned = await scanArchive(zip, limits);
  const plan = planDataset([...scanned.files.keys()]);
  const floatsPerImage = preprocessing.size * preprocessing.size * preprocessing.channels;
  const arrayBytes = plan.imageCount * floatsPerImage * 4;
  if (arrayBytes > limits.maxPreprocessedBytes) {
    throw new DatasetRejectedError(
      'over-limit',
      'DATASET_TOO_LARGE',
      `${plan.imageCount} images at ${preprocessing.size}×${preprocessing.size}×${preprocessing.channels} take ${arrayBytes} bytes preprocessed; the limit is ${limits.maxPreprocessedBytes}`,
      {
        images: plan.imageCount,
        bytes: arrayBytes,
        limit: limits.maxPreprocessedBytes,
      },
    );
  }
  return { scanned, plan, floatsPerImage };
}

/**
 * The checks that read only the zip's central directory (safety, limits, layout, preprocessed
 * size): milliseconds even for Omniglot, so the API answers them before accepting an upload.
 */
export async function checkArchive(file: string, options: IngestOptions): Promise<{ classes: number; images: number }> {
  const zip = await openArchive(file);
  try {
    const { plan } = await planArchive(zip, options);
    return { classes: plan.classes.length, images: plan.imageCount };
  } finally {
    zip.close();
  }
}

/** Everything: checkArchive's checks again, then every image inflated, checked and preprocessed. */
export async function ingestArchive(file: string, options: IngestOptions): Promise<IngestedDataset> {
  const { preprocessing } = options;
  const started = performance.now();
  const zip = await openArchive(file);
  try {
    const { scanned, plan, floatsPerImage } = await planArchive(zip, options);
    const scannedAt = performance.now();
    const images = new Float32Array(plan.imageCount * floatsPerImage);
    let index = 0;
    for (const cls of plan.classes) {
      for (const name of cls.files) {
        const bytes = await inflate(zip, scanned.files.get(name)!, name);
        images.set(await imageOf(bytes, name, options), index * floatsPerImage);
        index++;
      }
    }
    const header: DatasetHeader = {
      layout: plan.layout,
      height: preprocessing.size,
      width: preprocessing.size,
      channels: preprocessing.channels,
      preprocessing,
      classes: plan.classes.map((c) => ({ name: c.name, count: c.files.length })),
    };
    return { header, images, ignoredEntries: scanned.ignored, timingsMs: { scan: scannedAt - started, images: performance.now() - scannedAt } };
  } finally {
    zip.close();
  }
}
