/*
 * Register-blocked microkernels: c[MR×NR] (row stride ldc) = (accumulate ? c : 0) + Σ_k
 * A(i, k) · b[k*NR + j], A(i, k) = a[i*rs + k*cs]: a packed sliver (rs 1, cs MR; gemm.c) or A read
 * in place, row-major or transposed (gemm_direct.c). One per instruction set; chosen at run time.
 */
#ifndef MAML_KERNELS_MICROKERNELS_H
#define MAML_KERNELS_MICROKERNELS_H

#include <stddef.h>

typedef void (*microkernel_fn)(int kc, const float *a, ptrdiff_t rs, ptrdiff_t cs, const float *b, float *c, ptrdiff_t ldc, int accumulate);

typedef struct {
  const char *isa;
  int mr;
  int nr;
  microkernel_fn run;
} microkernel;

/* The fastest kernel this CPU supports (MAML_KERNELS_ISA=generic|avx2|avx512 caps it). */
const microkernel *select_microkernel(void);

#endif
