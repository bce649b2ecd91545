/**
 * A checkpoint = a safetensors file of named tensors + CheckpointMetadata under
 * __metadata__["maml"] (format and naming: see safetensors.ts). Pure: bytes in, bytes out.
 */
import { HeaderTooLargeError, InvalidMetadataError, TruncatedFileError } from './errors.ts';
import { MAML_METADATA_KEY, parseCheckpointMetadata, serializeCheckpointMetadata, type CheckpointMetadata } from './metadata.ts';
import { decodeSafetensors, encodeSafetensors, MAX_HEADER_BYTES, readSafetensorsHeader, type NamedTensor, type SafetensorsHeader } from './safetensors.ts';
import { parseHeader, parseMetadata } from './safetensors-header.ts';

export interface Checkpoint {
  readonly tensors: Map<string, NamedTensor>;
  readonly metadata: CheckpointMetadata;
  /** The other string→string entries of __metadata__ (e.g. "format": "pt" from PyTorch tools). */
  readonly otherMetadata: Readonly<Record<string, string>>;
}

export function encodeCheckpoint(
  tensors: ReadonlyMap<string, NamedTensor>,
  metadata: CheckpointMetadata,
  otherMetadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  if (Object.hasOwn(otherMetadata, MAML_METADATA_KEY)) throw new InvalidMetadataError(MAML_METADATA_KEY, otherMetadata[MAML_METADATA_KEY]);
  return encodeSafetensors(tensors, { ...otherMetadata, [MAML_METADATA_KEY]: serializeCheckpointMetadata(metadata) });
}

export function decodeCheckpoint(bytes: Uint8Array): Checkpoint {
  const { tensors, metadata } = decodeSafetensors(bytes);
  const otherMetadata = Object.fromEntries(Object.entries(metadata).filter(([key]) => key !== MAML_METADATA_KEY));
  return { tensors, metadata: parseCheckpointMetadata(metadata), otherMetadata };
}

/** A checkpoint's header alone: its metadata and each tensor's dtype, shape and byte range (no tensor is copied). */
export interface CheckpointHeader {
  readonly entries: SafetensorsHeader['entries'];
  readonly dataStart: number;
  readonly metadata: CheckpointMetadata;
  readonly otherMetadata: Readonly<Record<string, string>>;
}

export function readCheckpointHeader(bytes: Uint8Array): CheckpointHeader {
  const { entries, metadata, dataStart } = readSafetensorsHeader(bytes);
  const otherMetadata = Object.fromEntries(Object.entries(metadata).filter(([key]) => key !== MAML_METADATA_KEY));
  return { entries, dataStart, metadata: parseCheckpointMetadata(metadata), otherMetadata };
}

/** How many leading bytes of a checkpoint hold its header (8 + the declared length), read from its first 8 bytes. */
export function checkpointHeaderSize(prefix: Uint8Array): number {
  if (prefix.length < 8) throw new TruncatedFileError(prefix.length);
  const declared = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER_BYTES)) throw new HeaderTooLargeError(declared, MAX_HEADER_BYTES);
  return 8 + Number(declared);
}

/** The metadata of a checkpoint from its first bytes (at least `checkpointHeaderSize`; the tensor data need not follow). */
export function readCheckpointMetadata(prefix: Uint8Array): CheckpointMetadata {
  const { header } = parseHeader(prefix, MAX_HEADER_BYTES);
  return parseCheckpointMetadata(parseMetadata(header['__metadata__']));
}
