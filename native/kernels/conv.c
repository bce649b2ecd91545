#include "conv.h"

#include <stdlib.h>
#include <string.h>

#include "conv_narrow.h"
#include "gemm.h"
#include "gemm_direct.h"
#include "parallel.h"

typedef struct {
  const conv_geometry *g;
  const float *x;
  const float *zeros; /* in_c zeros, the source of rows whose tap falls in the padding */
} conv_source;

enum { MAX_MR = 32 };

/* Rows m0.. are output pixels (n, oy, ox); columns k0.. are taps (ky, kx) × input channels. */
static void pack_a_conv(const void *ctx, int m0, int mr, int k0, int kc, int MR, float *dst) {
  const conv_source *s = ctx;
  const conv_geometry *g = s->g;
  const int pixels = g->out_h * g->out_w, C = g->in_c;
  int base_y[MAX_MR], base_x[MAX_MR], image[MAX_MR];
  for (int r = 0; r < MR; r++) {
    const int m = m0 + (r < mr ? r : 0), p = m % pixels;
    image[r] = m / pixels;
    base_y[r] = (p / g->out_w) * g->stride_h - g->pad_top;
    base_x[r] = (p % g->out_w) * g->stride_w - g->pad_left;
  }
  const float *src[MAX_MR];
  for (int k = k0; k < k0 + kc;) {
    const int tap = k / C, c0 = k % C;
    const int len = (C - c0 < k0 + kc - k) ? C - c0 : k0 + kc - k;
    const int dy = (tap / g->filter_w) * g->dilation_h, dx = (tap % g->filter_w) * g->dilation_w;
    for (int r = 0; r < MR; r++) {
      const int iy = base_y[r] + dy, ix = base_x[r] + dx;
      const int inside = r < mr && iy >= 0 && iy < g->in_h && ix >= 0 && ix < g->in_w;
      src[r] = inside ? s->x + ((size_t)(image[r] * g->in_h + iy) * g->in_w + ix) * C + c0 : s->zeros;
    }
    float *out = dst + (size_t)(k - k0) * MR;
    for (int t = 0; t < len; t++, out += MR) {
      for (int r = 0; r < MR; r++) out[r] = src[r][t];
    }
    k += len;
  }
}

/* Rows [m0, m0 + rows) of the im2col matrix [M × filter_h·filter_w·in_c], zeros in the padding. */
static void im2col_rows(const conv_geometry *g, const float *x, long m0, long rows, float *col) {
  const int pixels = g->out_h * g->out_w, C = g->in_c;
  for (long m = m0; m < m0 + rows; m++) {
    const int n = (int)(m / pixels), p = (int)(m % pixels);
    const int y0 = (p / g->out_w) * g->stride_h - g->pad_top, x0 = (p % g->out_w) * g->stride_w - g->pad_left;
    for (int ky = 0; ky < g->filter_h; ky++) {
      const int iy = y0 + ky * g->dilation_h;
      for (int kx = 0; kx < g->filter_w; kx++, col += C) {
        const int ix = x0 + kx * g->dilation_w;
        const int inside = iy >= 0 && iy < g->in_h && ix >= 0 && ix < g->in_w;
        const float *src = x + ((size_t)(n * g->in_h + iy) * g->in_w + ix) * C;
        if (C >= 16) {
          if (inside) memcpy(col, src, sizeof(float) * C);
          else memset(col, 0, sizeof(float) * C);
        } else {
          for (int c = 0; c < C; c++) col[c] = inside ? src[c] : 0;
        }
      }
    }
  }
}

enum { DIRECT_MAX_OUT_C = 96, DIRECT_CHUNK_FLOATS = 256 * 1024 };

/* Few output channels: im2col a chunk of rows (~1 MiB per thread), then gemm_direct on it (no A packing). */
static int conv2d_direct(const conv_geometry *g, const float *x, const float *w, float *out, int threads) {
  const long M = (long)g->batch * g->out_h * g->out_w, K = (long)g->filter_h * g->filter_w * g->in_c;
  if (M == 0) return 0;
  long chunk = K > 0 ? (long)DIRECT_CHUNK_FLOATS * (threads > 1 ? threads : 1) / K : M;
  chunk = chunk < 14 ? 14 : chunk / 14 * 14;
  if (chunk > M) chunk = M;
  float *col = malloc(sizeof(float) * (size_t)(chunk * K > 0 ? chunk * K : 1));
  if (!col) return -1;
  int status = 0;
  for (long m0 = 0; m0 < M && status == 0; m0 += chunk) {
    const long rows = M - m0 < chunk ? M - m0 : chunk;
    im2col_rows(g, x, m0, rows, col);
    status = gemm_direct((int)rows, g->out_c, (int)K, col, K, 1, w, g->out_c, out + m0 * g->out_c, g->out_c, threads);
  }
  free(col);
  return status;
}

int conv2d_nhwc(const conv_geometry *g, const float *x, const float *w, float *out, int threads) {
  if (g->out_c <= NARROW_MAX_OUT_C && g->in_c >= 16) return conv2d_nhwc_narrow(g, x, w, out);
  if (g->out_c <= DIRECT_MAX_OUT_C && gemm_direct_available()) return conv2d_direct(g, x, w, out, threads);
  if (gemm_mr() > MAX_MR) return -1;
  float *zeros = calloc(g->in_c > 0 ? (size_t)g->in_c : 1, sizeof(float));
  if (!zeros) return -1;
  const conv_source source = {g, x, zeros};
  const strided_matrix filter = {w, g->out_c, 1};
  const int M = g->batch * g->out_h * g->out_w, K = g->filter_h * g->filter_w * g->in_c;
  const int status = gemm_parallel(M, g->out_c, K, pack_a_conv, &source, &filter, out, g->out_c, threads);
  free(zeros);
  return status;
}
