/**
 * What a checkpoint must hold to serve as a model, checked without building a network: its header
 * (src/core/checkpoint: metadata, each tensor's dtype and shape) against the shapes the metadata's
 * network declares (src/core/nets parameterShapes), then a scan of the float32 data for NaN and
 * infinities that reads the bytes in place. Pure: no tensors, no I/O.
 */
import type { CheckpointHeader } from './checkpoint/checkpoint.ts';
import { LEARNED_LR_PREFIX } from './checkpoint/safetensors.ts';
import { parameterShapes } from './nets/create.ts';

/** Why a checkpoint cannot serve as a model (the API answers 422 INVALID_CHECKPOINT). */
export class InvalidModelFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidModelFileError';
  }
}

/**
 * Every tensor the network needs, with its shape (a head may have fewer output columns: it serves
 * fewer ways), nothing else but learned inner rates, all float32. Throws InvalidModelFileError.
 */
export function checkModelFileShapes(header: CheckpointHeader): void {
  let expected: Record<string, number[]>;
  try {
    expected = parameterShapes(header.metadata.spec);
  } catch (error) {
    throw new InvalidModelFileError(`metadata.spec: ${(error as Error).message}`);
  }
  const problems: string[] = [];
  for (const [name, shape] of Object.entries(expected)) {
    const found = header.entries.get(name);
    const headOk = name.startsWith('head.') && found && found.shape.length === shape.length && found.shape.slice(0, -1).join() === shape.slice(0, -1).join();
    if (!found) problems.push(`missing ${name} ${JSON.stringify(shape)}`);
    else if (found.shape.join() !== shape.join() && !headOk)
      problems.push(`${name} has shape ${JSON.stringify(found.shape)}, expected ${JSON.stringify(shape)}`);
  }
  for (const name of header.entries.keys()) {
    if (!(name in expected) && !name.startsWith(LEARNED_LR_PREFIX)) problems.push(`unexpected tensor ${name}`);
  }
  if (problems.length > 0) throw new InvalidModelFileError(`the weights do not match the network in the metadata: ${problems.slice(0, 5).join('; ')}`);
  for (const [name, entry] of header.entries) {
    if (entry.dtype !== 'float32') throw new InvalidModelFileError(`tensor ${name} is ${entry.dtype}; weights must be float32`);
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The first float32 tensor (in name order) holding a NaN or an infinity, or null. Reads `bytes` in place. */
export function firstNonFiniteTensor(bytes: Uint8Array, header: Pick<CheckpointHeader, 'entries' | 'dataStart'>): string | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const [name, entry] of header.entries) {
    if (entry.dtype !== 'float32') continue;
    const start = header.dataStart + entry.begin;
    const count = (entry.end - entry.begin) / 4;
    if (LITTLE_ENDIAN && (bytes.byteOffset + start) % 4 === 0) {
      const values = new Float32Array(bytes.buffer, bytes.byteOffset + start, count); // a view, no copy
      for (let i = 0; i < count; i++) if (!Number.isFinite(values[i]!)) return name;
    } else {
      for (let i = 0; i < count; i++) if (!Number.isFinite(view.getFloat32(start + 4 * i, true))) return name;
    }
  }
  return null;
}
