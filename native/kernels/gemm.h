/*
 * Single-threaded float32 GEMM, C[M×N] = A[M×K] · B[K×N], row-major C, with A supplied by a
 * packing callback (a strided matrix, or an implicit im2col view of an NHWC image) and B by
 * strides (so transposes cost nothing). Blocked like BLIS: B is packed per K block into
 * NR-wide slivers, A per MR-row sliver, and a register-blocked microkernel does the FMAs.
 */
#ifndef MAML_KERNELS_GEMM_H
#define MAML_KERNELS_GEMM_H

#include <stddef.h>

/* Packs rows [m0, m0+mr) × columns [k0, k0+kc) of A into dst[k*MR + r]; rows r ≥ mr are zero. */
typedef void (*pack_a_fn)(const void *ctx, int m0, int mr, int k0, int kc, int MR, float *dst);

typedef struct {
  const float *data;
  ptrdiff_t row_stride; /* distance between A(m, k) and A(m+1, k) */
  ptrdiff_t col_stride; /* distance between A(m, k) and A(m, k+1) */
} strided_matrix;

void pack_a_strided(const void *ctx, int m0, int mr, int k0, int kc, int MR, float *dst);

/* Computes C = A·B. Returns 0, or -1 when scratch memory cannot be allocated. */
int gemm(int M, int N, int K, pack_a_fn pack_a, const void *a_ctx, const strided_matrix *b, float *c,
         ptrdiff_t ldc);

/* The instruction set the microkernel was chosen for: "avx512", "avx2" or "generic". */
const char *gemm_isa(void);
int gemm_mr(void);
int gemm_nr(void);

#endif
