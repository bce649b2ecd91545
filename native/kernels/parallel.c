#define _POSIX_C_SOURCE 200809L
#include "parallel.h"

#include <pthread.h>

enum { MAX_THREADS = 16, MIN_FLOPS_PER_THREAD = 4000000 /* below this a thread costs more than it saves */ };

/* A's rows shifted by `offset`: a thread's share [offset, offset + M) as a GEMM of its own. */
typedef struct {
  pack_a_fn pack_a;
  const void *ctx;
  int offset;
} shifted_a;

static void pack_a_shifted(const void *ctx, int m0, int mr, int k0, int kc, int MR, float *dst) {
  const shifted_a *s = ctx;
  s->pack_a(s->ctx, m0 + s->offset, mr, k0, kc, MR, dst);
}

typedef struct {
  int M, N, K;
  shifted_a a;
  const strided_matrix *b;
  float *c;
  ptrdiff_t ldc;
  int status;
} share;

static void *run_share(void *arg) {
  share *s = arg;
  s->status = gemm(s->M, s->N, s->K, pack_a_shifted, &s->a, s->b, s->c, s->ldc);
  return NULL;
}

int gemm_parallel(int M, int N, int K, pack_a_fn pack_a, const void *a_ctx, const strided_matrix *b, float *c,
                  ptrdiff_t ldc, int threads) {
  const double flops = 2.0 * M * N * K;
  const int MR = gemm_mr();
  if (threads > MAX_THREADS) threads = MAX_THREADS;
  while (threads > 1 && (flops / threads < MIN_FLOPS_PER_THREAD || M / threads < MR)) threads--;
  if (threads <= 1) return gemm(M, N, K, pack_a, a_ctx, b, c, ldc);
  /* Row shares of whole MR slivers: every thread packs the same B panel, and its own A. */
  share shares[MAX_THREADS];
  pthread_t ids[MAX_THREADS];
  int started[MAX_THREADS] = {0};
  const int slivers = (M + MR - 1) / MR;
  int row = 0;
  for (int t = 0; t < threads; t++) {
    const int end = t == threads - 1 ? M : (int)((long)slivers * (t + 1) / threads) * MR;
    shares[t] = (share){end - row, N, K, {pack_a, a_ctx, row}, b, c + (ptrdiff_t)row * ldc, ldc, 0};
    row = end;
  }
  for (int t = 1; t < threads; t++) started[t] = pthread_create(&ids[t], NULL, run_share, &shares[t]) == 0;
  run_share(&shares[0]);
  int status = shares[0].status;
  for (int t = 1; t < threads; t++) {
    if (started[t]) pthread_join(ids[t], NULL);
    else run_share(&shares[t]); /* no thread to be had: do its share here */
    if (shares[t].status != 0) status = shares[t].status;
  }
  return status;
}
