/**
 * How many threads each native kernel call of a request may use (src/kernels/threads.ts). More
 * than one only for a lone request (none other in flight: concurrent requests get 1 each, or the
 * inference threads' kernels would oversubscribe the cores) that is large enough for the second
 * thread to pay for itself, on a path whose kernels split well.
 * Measured with `npx tsx scripts/experiments/kernel-threads.ts` (docs/results/kernel-threads-s9.json:
 * the shipped models, in-process, 1 vs 2 kernel threads, 2-core machine, 2026-12-03, session 9,
 * after the kernels kept their helper threads and the convolutions split whole row ranges and
 * images, im2col included):
 *  - head-only /adapt and every /predict: 2 threads take 0.49–0.77× the time from 3–4 images
 *    (0.52–0.66× from 5 on), 0.95–1.25× for 1–2 images: from MIN_IMAGES_FOR_THREADS on, 2;
 *  - all-layer /adapt (the native inner loop, whose products are split one GEMM at a time with
 *    im2col between them): 1.03–1.18× at every size from 3 to 40 images: always 1.
 */
import type { InferenceRequest } from './protocol.ts';

export const MIN_IMAGES_FOR_THREADS = 4;

/** Kernel threads for `task` given how many requests are in flight besides it. */
export function kernelThreadsFor(task: InferenceRequest, othersInFlight: number, loneThreads: number): number {
  if (task.kind === 'memory' || othersInFlight > 0) return 1;
  if (task.kind === 'adapt' && !task.headOnly) return 1;
  return task.images.files.length >= MIN_IMAGES_FOR_THREADS ? loneThreads : 1;
}
