/**
 * Checks an imported model file before anything is stored: its header against the network its
 * metadata declares (src/core/model-file.ts: no network built, no tensor allocated, no data
 * copied), then the float32 data for NaN and infinities in a worker thread, so a 200 MB file
 * never holds the event loop. The upload's bytes move to the thread and back (transferred, not
 * copied, when they own their buffer, as a large request body does).
 */
import { Worker } from 'node:worker_threads';
import { readCheckpointHeader, SafetensorsError, type CheckpointHeader } from '../../../core/checkpoint/index.ts';
import { InvalidCheckpointMetadataError, MissingCheckpointMetadataError } from '../../../core/checkpoint/errors.ts';
import { checkModelFileShapes, InvalidModelFileError } from '../../../core/model-file.ts';
import { HttpError } from '../../../shared/errors.ts';

const invalid = (message: string) => new HttpError(422, 'INVALID_CHECKPOINT', message);

/** The header, if the file can serve as a model; else a 422 naming what is wrong. */
export function checkImportHeader(bytes: Uint8Array): CheckpointHeader {
  let header: CheckpointHeader;
  try {
    header = readCheckpointHeader(bytes);
    checkModelFileShapes(header);
  } catch (error) {
    if (
      error instanceof SafetensorsError ||
      error instanceof InvalidCheckpointMetadataError ||
      error instanceof MissingCheckpointMetadataError ||
      error instanceof InvalidModelFileError
    ) {
      throw invalid(error.message);
    }
    throw error;
  }
  return header;
}

/** Runs the NaN/infinity scan in a worker thread; resolves with the bytes (moved back) and the first bad tensor. */
function scanInThread(bytes: Uint8Array, header: CheckpointHeader): Promise<{ bytes: Uint8Array; nonFinite: string | null }> {
  const owned = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  const moved = owned ? bytes : new Uint8Array(bytes); // a view into a pooled buffer is copied
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./finite-scan-thread-entry.mjs', import.meta.url), {
      workerData: { bytes: moved, entries: header.entries, dataStart: header.dataStart },
      transferList: [moved.buffer as ArrayBuffer],
    });
    worker.once('message', (reply: { bytes: Uint8Array; nonFinite: string | null }) =>
      resolve({ bytes: new Uint8Array(reply.bytes.buffer, reply.bytes.byteOffset, reply.bytes.byteLength), nonFinite: reply.nonFinite }),
    );
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the finite-scan thread exited with code ${code} before answering`)));
  });
}

/**
 * Checks the file and hands back its bytes (the caller's `bytes` may be detached: use the result).
 * 422 INVALID_CHECKPOINT when the header, the shapes or a value is wrong.
 */
export async function checkImport(bytes: Uint8Array): Promise<Buffer> {
  const header = checkImportHeader(bytes);
  const scanned = await scanInThread(bytes, header);
  if (scanned.nonFinite !== null) throw invalid(`tensor ${scanned.nonFinite} has NaN or infinite values`);
  return Buffer.from(scanned.bytes.buffer, scanned.bytes.byteOffset, scanned.bytes.byteLength);
}
