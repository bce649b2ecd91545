#include "microkernels.h"

#include <stdlib.h>
#include <string.h>

/* Portable kernel: plain C the compiler vectorises for whatever the target offers. */
#define GENERIC_MR 4
#define GENERIC_NR 16
static void kernel_generic(int kc, const float *a, ptrdiff_t rs, ptrdiff_t cs, const float *b, float *c, ptrdiff_t ldc, int accumulate) {
  float acc[GENERIC_MR][GENERIC_NR];
  memset(acc, 0, sizeof acc);
  for (int k = 0; k < kc; k++, a += cs, b += GENERIC_NR) {
    for (int i = 0; i < GENERIC_MR; i++) {
      for (int j = 0; j < GENERIC_NR; j++) acc[i][j] += a[i * rs] * b[j];
    }
  }
  for (int i = 0; i < GENERIC_MR; i++) {
    float *row = c + i * ldc;
    for (int j = 0; j < GENERIC_NR; j++) row[j] = accumulate ? row[j] + acc[i][j] : acc[i][j];
  }
}

static const microkernel generic = {"generic", GENERIC_MR, GENERIC_NR, kernel_generic};

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

/* AVX-512F: 14 rows × 32 columns = 28 zmm accumulators. */
#define AVX512_MR 14
#define AVX512_NR 32
__attribute__((target("avx512f"))) static void kernel_avx512(int kc, const float *a, ptrdiff_t rs, ptrdiff_t cs, const float *b, float *c,
                                                      ptrdiff_t ldc, int accumulate) {
  __m512 acc[AVX512_MR][2];
#pragma GCC unroll 14
  for (int i = 0; i < AVX512_MR; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
  if (rs == 1) {
    for (int k = 0; k < kc; k++, a += cs, b += AVX512_NR) {
      const __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
#pragma GCC unroll 14
      for (int i = 0; i < AVX512_MR; i++) {
        const __m512 ai = _mm512_set1_ps(a[i]);
        acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
        acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
      }
    }
  } else {
    /* row-major A: two row groups off two base pointers keep the offsets in registers */
    const float *a0 = a, *a7 = a + 7 * rs;
    for (int k = 0; k < kc; k++, a0 += cs, a7 += cs, b += AVX512_NR) {
      const __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
#pragma GCC unroll 7
      for (int i = 0; i < 7; i++) {
        const __m512 ai = _mm512_set1_ps(a0[i * rs]), aj = _mm512_set1_ps(a7[i * rs]);
        acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
        acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
        acc[i + 7][0] = _mm512_fmadd_ps(aj, b0, acc[i + 7][0]);
        acc[i + 7][1] = _mm512_fmadd_ps(aj, b1, acc[i + 7][1]);
      }
    }
  }
#pragma GCC unroll 14
  for (int i = 0; i < AVX512_MR; i++) {
    float *row = c + i * ldc;
    if (accumulate) {
      acc[i][0] = _mm512_add_ps(acc[i][0], _mm512_loadu_ps(row));
      acc[i][1] = _mm512_add_ps(acc[i][1], _mm512_loadu_ps(row + 16));
    }
    _mm512_storeu_ps(row, acc[i][0]);
    _mm512_storeu_ps(row + 16, acc[i][1]);
  }
}

/* AVX2 + FMA: 6 rows × 16 columns = 12 ymm accumulators (of 16 registers). */
#define AVX2_MR 6
#define AVX2_NR 16
__attribute__((target("avx2,fma"))) static void kernel_avx2(int kc, const float *a, ptrdiff_t rs, ptrdiff_t cs, const float *b, float *c,
                                                            ptrdiff_t ldc, int accumulate) {
  __m256 acc[AVX2_MR][2];
#pragma GCC unroll 6
  for (int i = 0; i < AVX2_MR; i++) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
  if (rs == 1) {
    for (int k = 0; k < kc; k++, a += cs, b += AVX2_NR) {
      const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
#pragma GCC unroll 6
      for (int i = 0; i < AVX2_MR; i++) {
        const __m256 ai = _mm256_broadcast_ss(a + i);
        acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
        acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
      }
    }
  } else {
    for (int k = 0; k < kc; k++, a += cs, b += AVX2_NR) {
      const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
#pragma GCC unroll 6
      for (int i = 0; i < AVX2_MR; i++) {
        const __m256 ai = _mm256_broadcast_ss(a + i * rs);
        acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
        acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
      }
    }
  }
#pragma GCC unroll 6
  for (int i = 0; i < AVX2_MR; i++) {
    float *row = c + i * ldc;
    if (accumulate) {
      acc[i][0] = _mm256_add_ps(acc[i][0], _mm256_loadu_ps(row));
      acc[i][1] = _mm256_add_ps(acc[i][1], _mm256_loadu_ps(row + 8));
    }
    _mm256_storeu_ps(row, acc[i][0]);
    _mm256_storeu_ps(row + 8, acc[i][1]);
  }
}

static const microkernel avx2 = {"avx2", AVX2_MR, AVX2_NR, kernel_avx2};
static const microkernel avx512 = {"avx512", AVX512_MR, AVX512_NR, kernel_avx512};

static int supports(const char *isa) {
  __builtin_cpu_init();
  if (strcmp(isa, "avx512") == 0) return __builtin_cpu_supports("avx512f");
  if (strcmp(isa, "avx2") == 0) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return strcmp(isa, "generic") == 0;
}
static const microkernel *const by_preference[] = {&avx512, &avx2, &generic};
#else
static int supports(const char *isa) { return strcmp(isa, "generic") == 0; }
static const microkernel *const by_preference[] = {&generic};
#endif

/* The first supported kernel at or below the cap (the MAML_KERNELS_ISA environment variable). */
const microkernel *select_microkernel(void) {
  static const microkernel *chosen = NULL;
  if (chosen) return chosen;
  const char *cap = getenv("MAML_KERNELS_ISA");
  const size_t count = sizeof by_preference / sizeof by_preference[0];
  size_t first = 0;
  for (size_t i = 0; cap && i < count; i++) {
    if (strcmp(by_preference[i]->isa, cap) == 0) first = i;
  }
  for (size_t i = first; i < count; i++) {
    if (supports(by_preference[i]->isa)) return chosen = by_preference[i];
  }
  return chosen = &generic;
}
