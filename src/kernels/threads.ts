/**
 * How many threads a native kernel call may use (this JavaScript thread's setting: each worker
 * thread has its own). Default 1, or MAML_KERNEL_THREADS. The native GEMM splits a product into
 * row shares only when each share is worth a thread (≥ ~4 MFLOP), so small calls stay on one.
 * Meant for a lone request on an otherwise idle machine: threads that each run kernels on
 * several threads only oversubscribe the cores.
 */
let threads = initialThreads();

function initialThreads(): number {
  const raw = Number(process.env['MAML_KERNEL_THREADS'] ?? 1);
  return Number.isInteger(raw) && raw >= 1 ? Math.min(raw, 16) : 1;
}

export class InvalidThreadCountError extends Error {
  constructor(readonly value: number) {
    super(`kernel threads must be an integer from 1 to 16, got ${value}`);
    this.name = 'InvalidThreadCountError';
  }
}

/** Sets this thread's native kernel thread count; returns the previous one. */
export function setKernelThreads(count: number): number {
  if (!Number.isInteger(count) || count < 1 || count > 16) throw new InvalidThreadCountError(count);
  const previous = threads;
  threads = count;
  return previous;
}

export function kernelThreads(): number {
  return threads;
}
