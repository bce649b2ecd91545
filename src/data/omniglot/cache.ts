/**
 * One binary file holding every preprocessed Omniglot image, so a second load is a single read:
 *   "OMNICACH" | u32 LE format version | u32 LE header length J | J bytes JSON header | zero
 *   padding to 4 bytes | float32 LE pixels [count, height, width, channels].
 * Images are stored class after class in the header's class order. The file name is a hash of the
 * cache key (source directory, preprocessing, loader version); the header also records the
 * source's listing digest, so a changed source tree invalidates it. Written atomically (tmp + rename).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { swapWords } from '../../core/checkpoint/safetensors.ts';
import type { OmniglotSplit } from './layout.ts';

const MAGIC = 'OMNICACH';
export const CACHE_FORMAT_VERSION = 1;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export interface CacheKey {
  readonly source: string;
  readonly size: number;
  readonly channels: number;
  readonly invert: boolean;
  readonly normalisation: { readonly mean: number; readonly std: number };
  /** Bumped when the loader or the preprocessing changes what it produces. */
  readonly loaderVersion: number;
}

export interface CachedClass {
  readonly split: OmniglotSplit;
  readonly alphabet: string;
  readonly character: string;
  readonly count: number;
}

export interface CacheHeader {
  readonly key: CacheKey;
  readonly listingDigest: string;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly classes: readonly CachedClass[];
}

export type CacheRead =
  | { readonly status: 'hit'; readonly header: CacheHeader; readonly images: Float32Array }
  | { readonly status: 'missing' | 'stale' | 'corrupt'; readonly reason: string };

export function cacheFile(cacheDir: string, key: CacheKey): string {
  const hash = createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 16);
  return path.join(cacheDir, `omniglot-${key.size}px-${hash}.bin`);
}

export async function writeCache(file: string, header: CacheHeader, images: Float32Array): Promise<void> {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(16);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(CACHE_FORMAT_VERSION, 8);
  prefix.writeUInt32LE(json.length, 12);
  const padding = Buffer.alloc((4 - ((16 + json.length) % 4)) % 4);
  let data = new Uint8Array(images.buffer, images.byteOffset, images.byteLength);
  if (!LITTLE_ENDIAN) data = swapWords(data.slice());
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, Buffer.concat([prefix, json, padding, data]));
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

function sameKey(a: CacheKey, b: CacheKey): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export async function readCache(file: string, key: CacheKey, listingDigest: string): Promise<CacheRead> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing', reason: `no ${file}` };
    throw error;
  }
  if (bytes.length < 16 || bytes.toString('latin1', 0, 8) !== MAGIC) return { status: 'corrupt', reason: 'bad magic' };
  if (bytes.readUInt32LE(8) !== CACHE_FORMAT_VERSION) return { status: 'stale', reason: `format version ${bytes.readUInt32LE(8)}` };
  const jsonLength = bytes.readUInt32LE(12);
  if (16 + jsonLength > bytes.length) return { status: 'corrupt', reason: 'header runs past the end' };
  let header: CacheHeader;
  try {
    header = JSON.parse(bytes.toString('utf8', 16, 16 + jsonLength)) as CacheHeader;
  } catch {
    return { status: 'corrupt', reason: 'header is not JSON' };
  }
  if (!sameKey(header.key, key)) return { status: 'stale', reason: 'different cache key' };
  if (header.listingDigest !== listingDigest) return { status: 'stale', reason: 'the source files changed' };
  const start = 16 + jsonLength + ((4 - ((16 + jsonLength) % 4)) % 4);
  const count = header.classes.reduce((n, c) => n + c.count, 0);
  const expected = count * header.height * header.width * header.channels * 4;
  if (bytes.length - start !== expected) return { status: 'corrupt', reason: `${bytes.length - start} data bytes, expected ${expected}` };
  let data: Uint8Array = bytes.subarray(start);
  if ((bytes.byteOffset + start) % 4 !== 0 || !LITTLE_ENDIAN) data = new Uint8Array(data); // aligned copy
  if (!LITTLE_ENDIAN) swapWords(data);
  return { status: 'hit', header, images: new Float32Array(data.buffer, data.byteOffset, expected / 4) };
}
