/*
 * The GEMM on several threads (pthreads, created per call): C's rows are split into shares of
 * whole MR slivers, one per thread, the calling thread taking the first. Products too small to
 * gain (under ~4 MFLOP a thread) run on fewer threads, down to the caller's alone.
 */
#ifndef MAML_KERNELS_PARALLEL_H
#define MAML_KERNELS_PARALLEL_H

#include "gemm.h"

int gemm_parallel(int M, int N, int K, pack_a_fn pack_a, const void *a_ctx, const strided_matrix *b, float *c,
                  ptrdiff_t ldc, int threads);

#endif
