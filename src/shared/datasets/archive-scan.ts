/**
 * Reads a zip's central directory — names, sizes, types — without inflating anything, and
 * refuses it early: too many entries, too many declared bytes, a suspicious compression ratio
 * (zip bombs), unsafe names (zip slip, absolute, ".."; checked with the Omniglot extractor's own
 * safeEntryPath), symbolic links, devices, encrypted entries, duplicates. The archive is opened
 * with yauzl's validateEntrySizes, which makes the declared sizes binding: an entry that inflates
 * to more (or fewer) bytes than it declared fails while it is read.
 */
import yauzl from 'yauzl';
import type { DatasetLimits } from '../config.ts';
import { safeEntryPath, UnsafeZipEntryError } from '../../data/omniglot/zip.ts';
import { BlockCachedReader } from './block-reader.ts';
import { DatasetRejectedError } from './errors.ts';
import { isIgnoredEntry } from './layout.ts';

export interface ScannedArchive {
  /** Regular-file entries that are not OS litter, by their name in the archive. */
  readonly files: ReadonlyMap<string, yauzl.Entry>;
  readonly entries: number;
  readonly ignored: number;
  readonly declaredBytes: number;
}

const S_IFMT = 0o170000;
const ALLOWED_TYPES = new Set([0, 0o100000, 0o040000]); // unset (DOS attributes), regular file, directory
const UNIX = 3;
/** Names are resolved against this for the zip-slip check; nothing is ever written there. */
const VIRTUAL_ROOT = '/archive';

const unsafe = (entry: string, reason: string) =>
  new DatasetRejectedError('malformed', 'UNSAFE_ARCHIVE_ENTRY', `refusing archive entry ${JSON.stringify(entry)}: ${reason}`, { entry, reason });

/** Opens the zip through a block-caching reader; closing the zip closes the file. */
export async function openArchive(file: string): Promise<yauzl.ZipFile> {
  const reader = await BlockCachedReader.open(file);
  try {
    return await yauzl.fromRandomAccessReaderPromise(reader, reader.size, { decodeStrings: false, validateEntrySizes: true, autoClose: false });
  } catch (error) {
    reader.close(() => undefined);
    throw new DatasetRejectedError('malformed', 'INVALID_ARCHIVE', `not a readable zip archive: ${(error as Error).message}`);
  }
}

/** Checks one entry; returns the path it resolves to (for duplicate detection). */
function checkEntry(entry: yauzl.Entry, name: string, limits: DatasetLimits): string {
  let target: string;
  try {
    target = safeEntryPath(VIRTUAL_ROOT, name);
  } catch (error) {
    if (error instanceof UnsafeZipEntryError) throw unsafe(name, error.reason);
    throw error;
  }
  const type = (entry.externalFileAttributes >>> 16) & S_IFMT;
  if (entry.versionMadeBy >> 8 === UNIX && !ALLOWED_TYPES.has(type)) {
    throw unsafe(name, type === 0o120000 ? 'symbolic link' : `not a regular file (mode ${type.toString(8)})`);
  }
  if (entry.isEncrypted()) throw unsafe(name, 'encrypted');
  if (name.endsWith('/')) return target;
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
    throw new DatasetRejectedError(
      'malformed',
      'INVALID_ARCHIVE',
      `entry ${JSON.stringify(name)} uses compression method ${entry.compressionMethod} (only stored and deflate are read)`,
      { entry: name },
    );
  }
  const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
  if (entry.uncompressedSize > 0 && (entry.compressedSize === 0 || ratio > limits.maxCompressionRatio)) {
    throw new DatasetRejectedError(
      'over-limit',
      'ARCHIVE_COMPRESSION_RATIO',
      `entry ${JSON.stringify(name)} inflates ${entry.compressedSize} bytes to ${entry.uncompressedSize} (ratio ${Math.round(ratio)}; the limit is ${limits.maxCompressionRatio})`,
      {
        entry: name,
        compressedBytes: entry.compressedSize,
        uncompressedBytes: entry.uncompressedSize,
        limit: limits.maxCompressionRatio,
      },
    );
  }
  return target;
}

/** Scans an open archive against the limits (the caller closes it). */
export async function scanArchive(zip: yauzl.ZipFile, limits: DatasetLimits): Promise<ScannedArchive> {
  if (zip.entryCount > limits.maxEntries) {
    throw new DatasetRejectedError('over-limit', 'ARCHIVE_TOO_MANY_ENTRIES', `the archive has ${zip.entryCount} entries; the limit is ${limits.maxEntries}`, {
      entries: zip.entryCount,
      limit: limits.maxEntries,
    });
  }
  const files = new Map<string, yauzl.Entry>();
  const targets = new Set<string>();
  let declaredBytes = 0;
  let ignored = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileName as unknown as Buffer, entry.extraFields, false);
      const target = checkEntry(entry, name, limits);
      if (name.endsWith('/')) continue;
      if (targets.has(target))
        throw new DatasetRejectedError('malformed', 'INVALID_ARCHIVE', `the archive names ${JSON.stringify(name)} twice`, { entry: name });
      targets.add(target);
      declaredBytes += entry.uncompressedSize;
      if (declaredBytes > limits.maxUncompressedBytes) {
        throw new DatasetRejectedError(
          'over-limit',
          'ARCHIVE_UNCOMPRESSED_TOO_LARGE',
          `the archive inflates to more than ${limits.maxUncompressedBytes} bytes`,
          {
            limit: limits.maxUncompressedBytes,
          },
        );
      }
      if (isIgnoredEntry(name)) ignored++;
      else files.set(name, entry);
    }
  } catch (error) {
    if (error instanceof DatasetRejectedError) throw error;
    throw new DatasetRejectedError('malformed', 'INVALID_ARCHIVE', `the archive's directory is corrupt: ${(error as Error).message}`);
  }
  return { files, entries: zip.entryCount, ignored, declaredBytes };
}
