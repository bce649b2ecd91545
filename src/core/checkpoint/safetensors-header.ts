/** Parsing and validation of a safetensors header (see safetensors.ts for the format). */
import {
  HeaderOutOfBoundsError,
  HeaderTooLargeError,
  InvalidHeaderError,
  InvalidMetadataError,
  InvalidTensorEntryError,
  TensorSizeMismatchError,
  TruncatedFileError,
  UnsupportedDtypeError,
} from './errors.ts';

export type TensorDtype = 'float32' | 'int32' | 'float16';

export const FROM_FILE_DTYPE: Readonly<Record<string, TensorDtype | undefined>> = { F32: 'float32', I32: 'int32', F16: 'float16' };

/** Bytes per element of each dtype. */
export const DTYPE_BYTES: Readonly<Record<TensorDtype, number>> = { float32: 4, int32: 4, float16: 2 };

export function elementCount(tensor: string, shape: unknown): number {
  if (!Array.isArray(shape)) throw new InvalidTensorEntryError(tensor, 'shape', shape);
  let count = 1;
  for (const dim of shape) {
    if (!Number.isSafeInteger(dim) || dim < 0) throw new InvalidTensorEntryError(tensor, 'shape', shape);
    count *= dim;
    if (!Number.isSafeInteger(count)) throw new InvalidTensorEntryError(tensor, 'shape', shape);
  }
  return count;
}

export function parseHeader(bytes: Uint8Array, maxHeaderBytes: number): { header: Record<string, unknown>; dataStart: number } {
  if (bytes.length < 8) throw new TruncatedFileError(bytes.length);
  const declared = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (declared > BigInt(maxHeaderBytes)) throw new HeaderTooLargeError(declared, maxHeaderBytes);
  const length = Number(declared);
  if (8 + length > bytes.length) throw new HeaderOutOfBoundsError(length, bytes.length - 8);
  if (bytes[8] !== 0x7b) throw new InvalidHeaderError('the header must begin with "{"', bytes[8] === undefined ? '' : String.fromCharCode(bytes[8]));
  let text: string;
  let header: unknown;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + length));
  } catch {
    throw new InvalidHeaderError('the header is not valid UTF-8');
  }
  try {
    header = JSON.parse(text);
  } catch (error) {
    throw new InvalidHeaderError(`the header is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new InvalidHeaderError('the header must be a JSON object', header);
  return { header: header as Record<string, unknown>, dataStart: 8 + length };
}

export function parseMetadata(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidMetadataError('__metadata__', value);
  const metadata: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') throw new InvalidMetadataError(key, entry);
    Object.defineProperty(metadata, key, { value: entry, enumerable: true, writable: true, configurable: true });
  }
  return metadata;
}

export interface Entry {
  readonly name: string;
  readonly dtype: TensorDtype;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

export function parseEntry(name: string, value: unknown): Entry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidTensorEntryError(name, 'entry', value);
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== 'string') throw new InvalidTensorEntryError(name, 'dtype', dtype);
  const tensorDtype = FROM_FILE_DTYPE[dtype];
  if (tensorDtype === undefined) throw new UnsupportedDtypeError(name, dtype);
  const count = elementCount(name, shape);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
    throw new InvalidTensorEntryError(name, 'data_offsets', offsets);
  }
  const [begin, end] = offsets as [number, number];
  const size = count * DTYPE_BYTES[tensorDtype];
  if (end - begin !== size) throw new TensorSizeMismatchError(name, shape as number[], size, end - begin);
  return { name, dtype: tensorDtype, shape: [...(shape as number[])], begin, end };
}
