/*
 * Work on several threads. parallel_run runs n shares of a call at once: the first on the calling
 * thread, the others on helper threads that the process keeps between calls (made on first use,
 * never ended). A helper that has finished waits for its next share spinning for ~0.1 ms, then
 * sleeps on a condition variable: the kernels of one request come a few µs to ~0.1 ms apart, and
 * on a VM waking a sleeping thread (or its idle vCPU) costs 0.1–0.4 ms, about what creating a
 * thread per call cost (pthread_create + join ~50 µs here, plus the wake). Spinning 30 µs or
 * 300 µs read the same in bench:http (3 runs each, 2026-12-03). One caller at a time uses the
 * helpers; a second caller meanwhile creates threads for its call, as every call did before.
 * gemm_parallel splits C's rows into shares of whole MR slivers, one per thread; products too
 * small to gain (under ~4 MFLOP a thread) run on fewer threads, down to the caller's alone.
 */
#ifndef MAML_KERNELS_PARALLEL_H
#define MAML_KERNELS_PARALLEL_H

#include <stddef.h>

#include "gemm.h"

enum { PARALLEL_MAX_THREADS = 16 };

/* How many of up to `wanted` threads a call of `flops` over `units` (rows, images) should use: at
 * most PARALLEL_MAX_THREADS, each with ≥ ~4 MFLOP (below that a thread costs more than it saves)
 * and ≥ `min_units` units; at least 1. */
int parallel_threads(int wanted, double flops, long units, long min_units);

/* fn(items + i·stride) for i in [0, n), n ≤ PARALLEL_MAX_THREADS; returns when all have run. */
void parallel_run(int n, void (*fn)(void *), void *items, size_t stride);

int gemm_parallel(int M, int N, int K, pack_a_fn pack_a, const void *a_ctx, const strided_matrix *b, float *c,
                  ptrdiff_t ldc, int threads);

#endif
