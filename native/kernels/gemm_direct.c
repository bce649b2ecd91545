#define _POSIX_C_SOURCE 200809L
#include "gemm_direct.h"

#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "microkernels.h"
#include "parallel.h"

enum { KC = 256 };

/* The microkernel gemm.c chose (MAML_KERNELS_ISA may cap it), or NULL for the portable one, which
 * loses to packing. */
static const microkernel *direct(void) {
  const microkernel *uk = select_microkernel();
  return strcmp(uk->isa, "generic") == 0 ? NULL : uk;
}

int gemm_direct_available(void) { return direct() != NULL; }

/* B[k0.., 0..N) into NR-wide slivers (kc × NR each, zero-padded columns). */
static void pack_b(const float *b, ptrdiff_t ldb, int k0, int kc, int N, int NR, float *dst) {
  for (int j0 = 0; j0 < N; j0 += NR, dst += (size_t)kc * NR) {
    const int nr = N - j0 < NR ? N - j0 : NR;
    for (int k = 0; k < kc; k++) {
      float *out = dst + (size_t)k * NR;
      memcpy(out, b + (ptrdiff_t)(k0 + k) * ldb + j0, sizeof(float) * nr);
      if (nr < NR) memset(out + nr, 0, sizeof(float) * (NR - nr));
    }
  }
}

typedef struct {
  const microkernel *t;
  int m0, m1, N, K;
  const float *a;
  ptrdiff_t rs, cs;
  const float *b;
  ptrdiff_t ldb;
  float *c;
  ptrdiff_t ldc;
  int status;
} share;

/* Rows [m0, m1) of C; partial tiles (rows past M, columns past N) go through a scratch tile and a padded copy of A. */
static void run_rows(share *s) {
  const int MR = s->t->mr, NR = s->t->nr;
  const microkernel_fn kernel = s->t->run;
  const int N = s->N, K = s->K, slivers = (N + NR - 1) / NR;
  const int kc_max = K < KC ? K : KC;
  float *bp = aligned_alloc(64, sizeof(float) * ((size_t)kc_max * NR * slivers + MR * NR + (size_t)MR * kc_max + 16));
  if (!bp) {
    s->status = -1;
    return;
  }
  float *tile = bp + (size_t)kc_max * NR * slivers, *apad = tile + MR * NR;
  for (int k0 = 0; k0 < K; k0 += KC) {
    const int kc = K - k0 < KC ? K - k0 : KC;
    pack_b(s->b, s->ldb, k0, kc, N, NR, bp);
    for (int i0 = s->m0; i0 < s->m1; i0 += MR) {
      const int mr = s->m1 - i0 < MR ? s->m1 - i0 : MR;
      const float *a = s->a + (ptrdiff_t)i0 * s->rs + (ptrdiff_t)k0 * s->cs;
      ptrdiff_t rs = s->rs, cs = s->cs;
      if (mr < MR) { /* rows past the end read zeros from a padded copy [MR × kc] */
        for (int i = 0; i < MR; i++)
          for (int k = 0; k < kc; k++) apad[i * kc + k] = i < mr ? a[i * rs + k * cs] : 0;
        a = apad, rs = kc, cs = 1;
      }
      for (int j = 0; j < slivers; j++) {
        const int nr = N - j * NR < NR ? N - j * NR : NR;
        float *c = s->c + (ptrdiff_t)i0 * s->ldc + j * NR;
        if (mr == MR && nr == NR) {
          kernel(kc, a, rs, cs, bp + (size_t)j * kc * NR, c, s->ldc, k0 > 0);
          continue;
        }
        for (int i = 0; i < mr && k0 > 0; i++) memcpy(tile + i * NR, c + i * s->ldc, sizeof(float) * nr);
        kernel(kc, a, rs, cs, bp + (size_t)j * kc * NR, tile, NR, k0 > 0);
        for (int i = 0; i < mr; i++) memcpy(c + i * s->ldc, tile + i * NR, sizeof(float) * nr);
      }
    }
  }
  free(bp);
}

static void run_share(void *arg) { run_rows(arg); }

int gemm_direct(int M, int N, int K, const float *a, ptrdiff_t rs, ptrdiff_t cs, const float *b, ptrdiff_t ldb, float *c,
                ptrdiff_t ldc, int threads) {
  if (M <= 0 || N <= 0) return 0;
  if (K <= 0) {
    for (int i = 0; i < M; i++) memset(c + (ptrdiff_t)i * ldc, 0, sizeof(float) * N);
    return 0;
  }
  const microkernel *tile = direct();
  if (!tile) return -2;
  const int MR = tile->mr;
  const double flops = 2.0 * M * N * K;
  threads = parallel_threads(threads, flops, M, MR);
  share shares[PARALLEL_MAX_THREADS];
  const int slivers = (M + MR - 1) / MR;
  for (int t = 0, row = 0; t < threads; t++) {
    const int end = t == threads - 1 ? M : (int)((long)slivers * (t + 1) / threads) * MR;
    shares[t] = (share){tile, row, end, N, K, a, rs, cs, b, ldb, c, ldc, 0};
    row = end;
  }
  parallel_run(threads, run_share, shares, sizeof(share));
  int status = 0;
  for (int t = 0; t < threads; t++)
    if (shares[t].status != 0) status = shares[t].status;
  return status;
}
