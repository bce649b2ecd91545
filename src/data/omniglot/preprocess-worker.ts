/**
 * worker_threads entry: preprocesses a slice of image files into a shared Float32Array.
 * workerData: { dir, files, options, buffer (SharedArrayBuffer), first (index of files[0]) }.
 * Posts { done } every 256 images and at the end, then exits; an error ends it with a non-zero code.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { preprocessImage, type PreprocessOptions } from '../image/preprocess.ts';

export interface PreprocessJob {
  readonly dir: string;
  readonly files: readonly string[];
  readonly options: PreprocessOptions;
  readonly buffer: SharedArrayBuffer;
  readonly first: number;
}

const job = workerData as PreprocessJob;
const size = job.options.size * job.options.size * job.options.channels;
const images = new Float32Array(job.buffer);
for (let i = 0; i < job.files.length; i++) {
  const bytes = readFileSync(path.join(job.dir, job.files[i]!));
  images.set(await preprocessImage(bytes, job.options), (job.first + i) * size);
  if ((i + 1) % 256 === 0) parentPort!.postMessage({ done: i + 1 });
}
parentPort!.postMessage({ done: job.files.length });
