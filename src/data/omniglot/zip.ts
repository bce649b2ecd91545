/**
 * Safe zip extraction with yauzl: refuses entries that would land outside the destination
 * (absolute paths, "..", backslashes — "zip-slip"), symbolic links and encrypted entries, and
 * stops past a size or entry-count limit (zip bombs). Only regular files and folders are created.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';

export class UnsafeZipEntryError extends Error {
  constructor(
    readonly entry: string,
    readonly reason: string,
  ) {
    super(`refusing zip entry ${JSON.stringify(entry)}: ${reason}`);
  }
}

export class CorruptZipError extends Error {
  constructor(
    readonly file: string,
    reason: string,
    cause?: unknown,
  ) {
    super(`cannot read zip ${file}: ${reason}`);
    this.cause = cause;
  }
}

export class ZipLimitError extends Error {
  constructor(
    readonly limit: 'bytes' | 'entries',
    readonly max: number,
  ) {
    super(`zip exceeds the limit of ${max} ${limit}`);
  }
}

export interface ExtractOptions {
  /** Total uncompressed bytes allowed (default 1 GiB). */
  readonly maxBytes?: number;
  readonly maxEntries?: number;
  readonly onProgress?: (entries: number, totalEntries: number) => void;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** The path an entry may be written to, or an UnsafeZipEntryError. */
export function safeEntryPath(destination: string, name: string): string {
  const problem = yauzl.validateFileName(name);
  if (problem !== null) throw new UnsafeZipEntryError(name, problem);
  const root = path.resolve(destination);
  const target = path.resolve(root, name);
  if (target !== root && !target.startsWith(root + path.sep)) throw new UnsafeZipEntryError(name, 'outside the destination');
  return target;
}

export async function extractZip(file: string, destination: string, options: ExtractOptions = {}): Promise<{ files: number; bytes: number }> {
  const maxBytes = options.maxBytes ?? 1 << 30;
  const maxEntries = options.maxEntries ?? 200_000;
  let zip: yauzl.ZipFile;
  try {
    // decodeStrings: false — names are validated here (yauzl's own check would throw a plain Error)
    zip = await yauzl.openPromise(file, { decodeStrings: false, validateEntrySizes: true });
  } catch (error) {
    throw new CorruptZipError(file, (error as Error).message, error);
  }
  if (zip.entryCount > maxEntries) {
    zip.close();
    throw new ZipLimitError('entries', maxEntries);
  }
  let files = 0;
  let bytes = 0;
  let seen = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', (error: Error) => reject(error));
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        const name = decodeName(entry);
        handle(entry, name)
          .then(() => {
            options.onProgress?.(++seen, zip.entryCount);
            zip.readEntry();
          })
          .catch(reject);
      });
      zip.readEntry();
    });
  } catch (error) {
    if (error instanceof UnsafeZipEntryError || error instanceof ZipLimitError) throw error;
    throw new CorruptZipError(file, (error as Error).message, error);
  } finally {
    zip.close();
  }
  return { files, bytes };

  async function handle(entry: yauzl.Entry, name: string): Promise<void> {
    const target = safeEntryPath(destination, name);
    if (((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) throw new UnsafeZipEntryError(name, 'symbolic link');
    if (entry.isEncrypted()) throw new UnsafeZipEntryError(name, 'encrypted');
    if (name.endsWith('/')) {
      await mkdir(target, { recursive: true });
      return;
    }
    if (bytes + entry.uncompressedSize > maxBytes) throw new ZipLimitError('bytes', maxBytes);
    await mkdir(path.dirname(target), { recursive: true });
    const stream = await zip.openReadStreamPromise(entry);
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        callback(bytes > maxBytes ? new ZipLimitError('bytes', maxBytes) : null, chunk);
      },
    });
    await pipeline(stream, counter, createWriteStream(target, { flags: 'wx' }));
    files++;
  }
}

/** The entry's name: UTF-8 or CP437 per its flags, Info-ZIP Unicode path if present, "\\" → "/". */
function decodeName(entry: yauzl.Entry): string {
  const raw = entry.fileName as unknown as Buffer; // a Buffer with decodeStrings: false
  return yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, false);
}
