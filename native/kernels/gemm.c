#include "gemm.h"

#include <stdlib.h>
#include <string.h>

#include "microkernels.h"

enum {
  KC_MAX = 640,            /* K block: one MR×KC sliver of A stays in L1 */
  B_PANEL_FLOATS = 131072, /* KC×NC packed B panel: 512 KiB, kept in L2 */
};

void pack_a_strided(const void *ctx, int m0, int mr, int k0, int kc, int MR, float *dst) {
  const strided_matrix *a = ctx;
  const float *base = a->data + m0 * a->row_stride + k0 * a->col_stride;
  if (mr < MR) memset(dst, 0, sizeof(float) * (size_t)kc * MR);
  if (a->row_stride == 1) { /* transposed A: a column of the sliver is contiguous */
    for (int k = 0; k < kc; k++) memcpy(dst + k * MR, base + k * a->col_stride, sizeof(float) * mr);
    return;
  }
  for (int r = 0; r < mr; r++) {
    const float *row = base + r * a->row_stride;
    for (int k = 0; k < kc; k++) dst[k * MR + r] = row[k * a->col_stride];
  }
}

/* B[k0.., j0..] (kc × nc) into NR-wide slivers, zero-padded to a whole number of slivers. */
static void pack_b(const strided_matrix *b, int k0, int kc, int j0, int nc, int NR, float *dst) {
  for (int js = 0; js < nc; js += NR, dst += kc * NR) {
    const int nr = nc - js < NR ? nc - js : NR;
    const float *src = b->data + k0 * b->row_stride + (j0 + js) * b->col_stride;
    for (int k = 0; k < kc; k++, src += b->row_stride) {
      float *out = dst + k * NR;
      if (b->col_stride == 1) memcpy(out, src, sizeof(float) * nr);
      else for (int j = 0; j < nr; j++) out[j] = src[j * b->col_stride];
      if (nr < NR) memset(out + nr, 0, sizeof(float) * (NR - nr));
    }
  }
}

/* One MR×NR tile; partial tiles go through a scratch tile so the kernel never writes past C. */
static void run_tile(const microkernel *uk, int kc, const float *a, const float *b, float *c, ptrdiff_t ldc,
                     int mr, int nr, int accumulate, float *tile) {
  if (mr == uk->mr && nr == uk->nr) {
    uk->run(kc, a, 1, uk->mr, b, c, ldc, accumulate);
    return;
  }
  for (int i = 0; i < mr && accumulate; i++) memcpy(tile + i * uk->nr, c + i * ldc, sizeof(float) * nr);
  uk->run(kc, a, 1, uk->mr, b, tile, uk->nr, accumulate);
  for (int i = 0; i < mr; i++) memcpy(c + i * ldc, tile + i * uk->nr, sizeof(float) * nr);
}

static size_t round_up(size_t x, size_t to) { return (x + to - 1) / to * to; }

int gemm(int M, int N, int K, pack_a_fn pack_a, const void *a_ctx, const strided_matrix *b, float *c,
         ptrdiff_t ldc) {
  const microkernel *uk = select_microkernel();
  const int MR = uk->mr, NR = uk->nr;
  if (M <= 0 || N <= 0) return 0;
  if (K <= 0) {
    for (int i = 0; i < M; i++) memset(c + i * ldc, 0, sizeof(float) * N);
    return 0;
  }
  const int k_blocks = (K + KC_MAX - 1) / KC_MAX;
  const int kc_max = (K + k_blocks - 1) / k_blocks;
  int nc_max = (int)((B_PANEL_FLOATS / kc_max) / NR * NR);
  if (nc_max < NR) nc_max = NR;
  if (nc_max > (int)round_up(N, NR)) nc_max = (int)round_up(N, NR);

  const size_t b_floats = (size_t)kc_max * nc_max, a_floats = (size_t)kc_max * MR, t_floats = (size_t)MR * NR;
  float *scratch = aligned_alloc(64, sizeof(float) * round_up(b_floats + a_floats + t_floats, 16));
  if (!scratch) return -1;
  float *b_packed = scratch, *a_packed = scratch + b_floats, *tile = a_packed + a_floats;

  for (int j0 = 0; j0 < N; j0 += nc_max) {
    const int nc = N - j0 < nc_max ? N - j0 : nc_max;
    for (int k0 = 0; k0 < K; k0 += kc_max) {
      const int kc = K - k0 < kc_max ? K - k0 : kc_max;
      pack_b(b, k0, kc, j0, nc, NR, b_packed);
      for (int i0 = 0; i0 < M; i0 += MR) {
        const int mr = M - i0 < MR ? M - i0 : MR;
        pack_a(a_ctx, i0, mr, k0, kc, MR, a_packed);
        for (int js = 0; js < nc; js += NR) {
          const int nr = nc - js < NR ? nc - js : NR;
          run_tile(uk, kc, a_packed, b_packed + (size_t)js * kc, c + i0 * ldc + j0 + js, ldc, mr, nr, k0 > 0, tile);
        }
      }
    }
  }
  free(scratch);
  return 0;
}

const char *gemm_isa(void) { return select_microkernel()->isa; }
int gemm_mr(void) { return select_microkernel()->mr; }
int gemm_nr(void) { return select_microkernel()->nr; }
