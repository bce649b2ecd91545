/**
 * worker_threads entry: scans an imported checkpoint's float32 data for NaN and infinities off the
 * API's event loop (src/api/routes/models/import-check.ts). workerData: { bytes, entries, dataStart };
 * posts { bytes, nonFinite } (the bytes transferred back) and exits.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckpointHeader } from '../../../core/checkpoint/checkpoint.ts';
import { firstNonFiniteTensor } from '../../../core/model-file.ts';

const { bytes, entries, dataStart } = workerData as { bytes: Uint8Array } & Pick<CheckpointHeader, 'entries' | 'dataStart'>;
const nonFinite = firstNonFiniteTensor(bytes, { entries, dataStart });
parentPort!.postMessage({ bytes, nonFinite }, [bytes.buffer as ArrayBuffer]);
