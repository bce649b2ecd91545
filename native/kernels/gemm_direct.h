/*
 * A GEMM for small N (Conv4's 64 channels) that never packs A: C[M×N] (+)= A·B with A read in
 * place through its strides, B [K×N] row-major packed per K block. The microkernel broadcasts
 * A's 14 row elements of each k straight from A (row-major A: 14 streams; transposed A: 14
 * contiguous floats), so the M×K im2col matrices of the inner loop are read once per N tile
 * instead of being transposed into slivers first (that packing cost as much as the FMAs). Tiles of
 * 14×32 (AVX-512) or 6×16 (AVX2 + FMA), after gemm.c's choice of instruction set (so
 * MAML_KERNELS_ISA caps it too); gemm_direct_available() says whether one runs (not on the portable
 * kernel), callers use gemm_parallel otherwise.
 */
#ifndef MAML_KERNELS_GEMM_DIRECT_H
#define MAML_KERNELS_GEMM_DIRECT_H

#include <stddef.h>

int gemm_direct_available(void);

/* C = A·B, A(m, k) = a[m·rs + k·cs], B(k, n) = b[k·ldb + n]; on up to `threads` threads (row
 * shares). Returns 0, -1 without memory, -2 when no direct tile runs here. */
int gemm_direct(int M, int N, int K, const float *a, ptrdiff_t rs, ptrdiff_t cs, const float *b, ptrdiff_t ldb, float *c,
                ptrdiff_t ldc, int threads);

#endif
