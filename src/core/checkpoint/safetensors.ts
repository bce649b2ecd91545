/**
 * safetensors codec (https://github.com/huggingface/safetensors), pure: bytes in, bytes out.
 *
 * Layout: [u64 little-endian N][N bytes of UTF-8 JSON header][data]. The header maps each tensor
 * name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to the start of the
 * data, end exclusive) and may hold "__metadata__": a string→string map. Tensors tile the data in
 * offset order with no gap or overlap. The header starts with "{" and may be padded with spaces;
 * like the reference writer we pad it so the data starts 8-byte aligned. Data are little-endian.
 * Supported dtypes: F32 (float32), I32 (int32) and F16 (float16, raw IEEE half bits in a
 * Uint16Array); values are copied as raw bytes, so NaN payloads,
 * −0 and denormals survive a round trip bit for bit.
 *
 * Checkpoints of this service (see checkpoint.ts) store:
 * - one tensor per network parameter, named exactly as the Params key of the network
 *   (e.g. "block0.conv.weight", "head.bias"; see src/core/nets); learned per-parameter inner
 *   learning rates (Meta-SGD / MAML++) as `${LEARNED_LR_PREFIX}<parameter name>` when the
 *   metadata's learnedLearningRates flag is set;
 * - in tfjs layout: conv kernels [kh, kw, in, out], dense kernels [in, out]. PyTorch stores conv
 *   weights as [out, in, kh, kw] and nn.Linear weights as [out, in]: convert with layout.ts when
 *   exchanging weights with PyTorch (safetensors.torch.save_file / load_file);
 * - the structured metadata (CheckpointMetadata) as one JSON string under __metadata__["maml"].
 */
import {
  DataLengthError,
  InvalidMetadataError,
  InvalidTensorEntryError,
  InvalidTensorNameError,
  TensorOffsetError,
  TensorSizeMismatchError,
  UnsupportedDtypeError,
} from './errors.ts';
import { DTYPE_BYTES, elementCount, parseEntry, parseHeader, parseMetadata, type Entry, type TensorDtype } from './safetensors-header.ts';

export type { Entry as SafetensorsEntry, TensorDtype };

export interface NamedTensor {
  readonly dtype: TensorDtype;
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array | Uint16Array;
}

export interface SafetensorsContents {
  readonly tensors: Map<string, NamedTensor>;
  readonly metadata: Record<string, string>;
}

export const LEARNED_LR_PREFIX = 'inner_lr.';
/** The safetensors reference implementation refuses headers above 100 MB. */
export const MAX_HEADER_BYTES = 100_000_000;

const TO_FILE_DTYPE: Record<TensorDtype, string> = { float32: 'F32', int32: 'I32', float16: 'F16' };
const DATA_TYPE = { float32: Float32Array, int32: Int32Array, float16: Uint16Array } as const;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Reverses the bytes of each `width`-byte word in place (file order ↔ host order on big-endian hosts). */
export function swapWords(bytes: Uint8Array, width = 4): Uint8Array {
  for (let i = 0; i + width - 1 < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
  return bytes;
}

function checkName(name: string): void {
  if (name.length === 0 || name === '__metadata__') throw new InvalidTensorNameError(name);
}

export function encodeSafetensors(tensors: ReadonlyMap<string, NamedTensor>, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) {
    for (const [key, value] of Object.entries(metadata)) if (typeof value !== 'string') throw new InvalidMetadataError(key, value);
    header['__metadata__'] = metadata;
  }
  const names = [...tensors.keys()].sort();
  let offset = 0;
  for (const name of names) {
    checkName(name);
    const tensor = tensors.get(name)!;
    const fileDtype = TO_FILE_DTYPE[tensor.dtype];
    if (fileDtype === undefined) throw new UnsupportedDtypeError(name, String(tensor.dtype));
    const expected = elementCount(name, tensor.shape) * DTYPE_BYTES[tensor.dtype];
    if (!(tensor.data instanceof DATA_TYPE[tensor.dtype])) {
      throw new InvalidTensorEntryError(name, `data for ${tensor.dtype}`, tensor.data.constructor.name);
    }
    if (tensor.data.byteLength !== expected) throw new TensorSizeMismatchError(name, tensor.shape, expected, tensor.data.byteLength);
    header[name] = { dtype: fileDtype, shape: [...tensor.shape], data_offsets: [offset, offset + expected] };
    offset += expected;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil((8 + json.length) / 8) * 8 - 8;
  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.fill(0x20, 8, 8 + headerLength);
  out.set(json, 8);
  let at = 8 + headerLength;
  for (const name of names) {
    const { data, dtype } = tensors.get(name)!;
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    out.set(bytes, at);
    if (!LITTLE_ENDIAN) swapWords(out.subarray(at, at + bytes.length), DTYPE_BYTES[dtype]);
    at += bytes.length;
  }
  return out;
}

/** A header read without touching the tensor data: each entry's dtype, shape and byte range. */
export interface SafetensorsHeader {
  /** In name order. Offsets are relative to `dataStart`. */
  readonly entries: ReadonlyMap<string, Entry>;
  readonly metadata: Record<string, string>;
  readonly dataStart: number;
}

/** Parses and checks the header (names, dtypes, sizes, offsets that tile the data) without copying any tensor. */
export function readSafetensorsHeader(bytes: Uint8Array, options: { maxHeaderBytes?: number } = {}): SafetensorsHeader {
  const { header, dataStart } = parseHeader(bytes, options.maxHeaderBytes ?? MAX_HEADER_BYTES);
  const metadata = parseMetadata(header['__metadata__']);
  const entries = Object.entries(header)
    .filter(([name]) => name !== '__metadata__')
    .map(([name, value]) => {
      checkName(name);
      return parseEntry(name, value);
    })
    .sort((a, b) => a.begin - b.begin || a.end - b.end);
  const dataLength = bytes.length - dataStart;
  let expectedBegin = 0;
  for (const entry of entries) {
    if (entry.begin !== expectedBegin) throw new TensorOffsetError(entry.name, expectedBegin, entry.begin);
    expectedBegin = entry.end;
  }
  if (expectedBegin !== dataLength) throw new DataLengthError(expectedBegin, dataLength);
  const byName = new Map(entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((entry) => [entry.name, entry]));
  return { entries: byName, metadata, dataStart };
}

export function decodeSafetensors(bytes: Uint8Array, options: { maxHeaderBytes?: number } = {}): SafetensorsContents {
  const { entries, metadata, dataStart } = readSafetensorsHeader(bytes, options);
  const tensors = new Map<string, NamedTensor>();
  for (const entry of entries.values()) {
    // A copy with its own ArrayBuffer (Buffer#slice would share the whole underlying buffer).
    const copy = new Uint8Array(bytes.subarray(dataStart + entry.begin, dataStart + entry.end));
    if (!LITTLE_ENDIAN) swapWords(copy, DTYPE_BYTES[entry.dtype]);
    const data = new DATA_TYPE[entry.dtype](copy.buffer);
    tensors.set(entry.name, { dtype: entry.dtype, shape: entry.shape, data });
  }
  return { tensors, metadata };
}
