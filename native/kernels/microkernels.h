/*
 * Register-blocked microkernels: c[MR×NR] (row stride ldc) = (accumulate ? c : 0) + Σ_k
 * a[k*MR + i] · b[k*NR + j] over packed slivers. One per instruction set; chosen at run time.
 */
#ifndef MAML_KERNELS_MICROKERNELS_H
#define MAML_KERNELS_MICROKERNELS_H

#include <stddef.h>

typedef void (*microkernel_fn)(int kc, const float *a, const float *b, float *c, ptrdiff_t ldc, int accumulate);

typedef struct {
  const char *isa;
  int mr;
  int nr;
  microkernel_fn run;
} microkernel;

/* The fastest kernel this CPU supports (MAML_KERNELS_ISA=generic|avx2|avx512 caps it). */
const microkernel *select_microkernel(void);

#endif
