/**
 * How many threads each native kernel call of a request may use (src/kernels/threads.ts). More
 * than one only for a lone request (none other in flight: concurrent requests get 1 each, or the
 * inference threads' kernels would oversubscribe the cores) that is large enough for the second
 * thread to pay for itself. Measured on the shipped models (2-core machine, 2026-12-03, both the
 * head-only and the all-layer path, 1 vs 2 kernel threads): 5 images 1.11–1.33× slower on 2,
 * 10 images 0.96–1.08×, 20 images 0.74–0.93×, 40–80 images 0.67–0.90×; so the crossover is
 * between 10 and 20 images, and a request with fewer than MIN_IMAGES_FOR_THREADS stays on one.
 */
import type { InferenceRequest } from './protocol.ts';

export const MIN_IMAGES_FOR_THREADS = 16;

/** Kernel threads for `task` given how many requests are in flight besides it. */
export function kernelThreadsFor(task: InferenceRequest, othersInFlight: number, loneThreads: number): number {
  if (task.kind === 'memory' || othersInFlight > 0) return 1;
  return task.images.files.length >= MIN_IMAGES_FOR_THREADS ? loneThreads : 1;
}
