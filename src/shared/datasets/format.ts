/**
 * The stored form of an uploaded dataset: one file, kept in the artifact store under its sha256.
 *   "MAMLDSET" | u32 LE format version | u32 LE header length J | J bytes JSON header | zero
 *   padding to 4 bytes | float32 LE pixels [count, height, width, channels], class after class
 *   in the header's class order.
 * The header holds only what the pixels depend on (layout, class names and counts,
 * preprocessing), not the dataset's name or id, so the same upload stores the same bytes once.
 */
import type { Preprocessing } from '../../core/types.ts';
import { swapWords } from '../../core/checkpoint/safetensors.ts';
import { DatasetFormatError } from './errors.ts';
import type { DatasetLayout } from './layout.ts';

const MAGIC = 'MAMLDSET';
export const DATASET_FORMAT_VERSION = 1;
const PREFIX_BYTES = 16;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export interface DatasetHeader {
  readonly layout: DatasetLayout;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly preprocessing: Preprocessing;
  readonly classes: readonly { readonly name: string; readonly count: number }[];
}

const padding = (jsonLength: number) => (4 - ((PREFIX_BYTES + jsonLength) % 4)) % 4;
const imageCount = (header: DatasetHeader) => header.classes.reduce((n, c) => n + c.count, 0);

export function encodeDataset(header: DatasetHeader, images: Float32Array): Buffer {
  const expected = imageCount(header) * header.height * header.width * header.channels;
  if (images.length !== expected) throw new DatasetFormatError(`${images.length} floats for a header that describes ${expected}`);
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(PREFIX_BYTES);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(DATASET_FORMAT_VERSION, 8);
  prefix.writeUInt32LE(json.length, 12);
  let data = new Uint8Array(images.buffer, images.byteOffset, images.byteLength);
  if (!LITTLE_ENDIAN) data = swapWords(data.slice());
  return Buffer.concat([prefix, json, Buffer.alloc(padding(json.length)), data]);
}

export function decodeDataset(bytes: Uint8Array): { header: DatasetHeader; images: Float32Array } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < PREFIX_BYTES || buffer.toString('latin1', 0, 8) !== MAGIC) throw new DatasetFormatError('bad magic');
  const version = buffer.readUInt32LE(8);
  if (version !== DATASET_FORMAT_VERSION) throw new DatasetFormatError(`format version ${version}, expected ${DATASET_FORMAT_VERSION}`);
  const jsonLength = buffer.readUInt32LE(12);
  if (PREFIX_BYTES + jsonLength > buffer.length) throw new DatasetFormatError('header runs past the end');
  let header: DatasetHeader;
  try {
    header = JSON.parse(buffer.toString('utf8', PREFIX_BYTES, PREFIX_BYTES + jsonLength)) as DatasetHeader;
  } catch {
    throw new DatasetFormatError('header is not JSON');
  }
  if (!Array.isArray(header.classes) || ![header.height, header.width, header.channels].every((v) => Number.isInteger(v) && v > 0)) {
    throw new DatasetFormatError('header lacks classes or dimensions');
  }
  const start = PREFIX_BYTES + jsonLength + padding(jsonLength);
  const floats = imageCount(header) * header.height * header.width * header.channels;
  if (buffer.length - start !== floats * 4) throw new DatasetFormatError(`${buffer.length - start} data bytes, expected ${floats * 4}`);
  let data: Uint8Array = buffer.subarray(start);
  if (data.byteOffset % 4 !== 0 || !LITTLE_ENDIAN) data = new Uint8Array(data); // aligned copy
  if (!LITTLE_ENDIAN) swapWords(data);
  return { header, images: new Float32Array(data.buffer, data.byteOffset, floats) };
}
