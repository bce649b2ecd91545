/**
 * Preprocesses many image files into one Float32Array [count, size, size, channels]: on worker
 * threads (each writes its slice of a SharedArrayBuffer, so the result is shared, not copied) or,
 * with threads = 1, on this thread.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { preprocessImage, type PreprocessOptions } from '../image/preprocess.ts';

/** Preprocesses `files` into one Float32Array, on `threads` worker threads (1: this thread). */
export async function preprocessFiles(
  dir: string,
  files: readonly string[],
  options: PreprocessOptions,
  threads: number,
  onProgress?: (done: number, total: number) => void,
): Promise<Float32Array> {
  const size = options.size * options.size * options.channels;
  if (threads <= 1 || files.length < threads) {
    const images = new Float32Array(files.length * size);
    for (let i = 0; i < files.length; i++) {
      // small synchronous reads (Omniglot PNGs are ~300 bytes); the event loop gets a turn every 256
      images.set(await preprocessImage(readFileSync(path.join(dir, files[i]!)), options), i * size);
      if ((i + 1) % 256 === 0 || i + 1 === files.length) {
        onProgress?.(i + 1, files.length);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    return images;
  }
  const buffer = new SharedArrayBuffer(files.length * size * 4);
  const per = Math.ceil(files.length / threads);
  const done = new Array<number>(threads).fill(0);
  const workers = Array.from({ length: threads }, (_, t) => {
    const workerData = { dir, files: files.slice(t * per, (t + 1) * per), options, buffer, first: t * per };
    return new Worker(new URL('./preprocess-worker-entry.mjs', import.meta.url), { workerData });
  });
  try {
    await Promise.all(
      workers.map(
        (worker, t) =>
          new Promise<void>((resolve, reject) => {
            worker.on('message', (message: { done: number }) => {
              done[t] = message.done;
              onProgress?.(
                done.reduce((a, b) => a + b, 0),
                files.length,
              );
            });
            worker.on('error', reject);
            worker.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`preprocessing worker ${t} exited with code ${code}`))));
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  if (done.reduce((a, b) => a + b, 0) !== files.length) throw new Error(`preprocessing workers finished ${done.join('+')} of ${files.length} images`);
  return new Float32Array(buffer);
}
