#include "conv.h"

#include <stdlib.h>
#include <string.h>

#include "conv_narrow.h"
#include "epilogue.h"
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

/* Output rows [m0, m1) with few output channels: im2col a chunk of rows (~1 MiB), then gemm_direct
 * on it (no A packing), chunk after chunk, on this thread. */
static int direct_rows(const conv_geometry *g, const float *x, const float *w, float *out, long m0, long m1) {
  const long K = (long)g->filter_h * g->filter_w * g->in_c;
  if (m1 <= m0) return 0;
  long chunk = K > 0 ? (long)DIRECT_CHUNK_FLOATS / K : m1 - m0;
  chunk = chunk < 14 ? 14 : chunk / 14 * 14;
  if (chunk > m1 - m0) chunk = m1 - m0;
  float *col = malloc(sizeof(float) * (size_t)(chunk * K > 0 ? chunk * K : 1));
  if (!col) return -1;
  int status = 0;
  for (long m = m0; m < m1 && status == 0; m += chunk) {
    const long rows = m1 - m < chunk ? m1 - m : chunk;
    im2col_rows(g, x, m, rows, col);
    status = gemm_direct((int)rows, g->out_c, (int)K, col, K, 1, w, g->out_c, out + m * g->out_c, g->out_c, 1);
  }
  free(col);
  return status;
}

typedef struct {
  const conv_geometry *g;
  const float *x, *w;
  float *out;
  long m0, m1;
  int status;
} direct_share;

static void run_direct_share(void *arg) {
  direct_share *s = arg;
  s->status = direct_rows(s->g, s->x, s->w, s->out, s->m0, s->m1);
}

/* On several threads each takes a range of rows, im2col included (with only the GEMM shared, the
 * serial im2col between products left the other threads idle: 2 threads were slower than 1). Rows
 * are computed as on one thread, so the result is the same bit for bit. */
static int conv2d_direct(const conv_geometry *g, const float *x, const float *w, float *out, int threads) {
  const long M = (long)g->batch * g->out_h * g->out_w, K = (long)g->filter_h * g->filter_w * g->in_c;
  const double flops = 2.0 * M * K * g->out_c;
  threads = parallel_threads(threads, flops, M, 14);
  if (threads == 1) return direct_rows(g, x, w, out, 0, M);
  direct_share shares[PARALLEL_MAX_THREADS];
  const long tiles = (M + 13) / 14;
  for (int t = 0; t < threads; t++) {
    const long m0 = tiles * t / threads * 14, m1 = t == threads - 1 ? M : tiles * (t + 1) / threads * 14;
    shares[t] = (direct_share){g, x, w, out, m0, m1, 0};
  }
  parallel_run(threads, run_direct_share, shares, sizeof(direct_share));
  for (int t = 0; t < threads; t++)
    if (shares[t].status != 0) return shares[t].status;
  return 0;
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

/* Images [n0, n1) of the pooled convolution, a few at a time through a cache-sized buffer (~2 MiB),
 * never the whole full-resolution activation (a 64 MB malloc is page-faulted in on every call). */
typedef struct {
  const conv_geometry *g;
  const float *x, *w, *bias;
  int bias_len;
  const activation_spec *act;
  float *out;
  int n0, n1, threads, status;
} pooled_share;

static void run_pooled_share(void *arg) {
  pooled_share *s = arg;
  const conv_geometry *g = s->g;
  const size_t image_floats = (size_t)g->out_h * g->out_w * g->out_c;
  int chunk = image_floats > 0 ? (int)((512u * 1024u) / image_floats) : s->n1 - s->n0;
  if (chunk < 1) chunk = 1;
  if (chunk > s->n1 - s->n0) chunk = s->n1 - s->n0;
  s->status = 0;
  if (chunk <= 0) return;
  float *full = malloc(sizeof(float) * (image_floats * (size_t)chunk > 0 ? image_floats * (size_t)chunk : 1));
  if (!full) {
    s->status = -1;
    return;
  }
  const size_t in_floats = (size_t)g->in_h * g->in_w * g->in_c, pooled_floats = (size_t)(g->out_h / 2) * (g->out_w / 2) * g->out_c;
  for (int n = s->n0; n < s->n1 && s->status == 0; n += chunk) {
    conv_geometry part = *g;
    part.batch = s->n1 - n < chunk ? s->n1 - n : chunk;
    s->status = conv2d_nhwc(&part, s->x + (size_t)n * in_floats, s->w, full, s->threads);
    if (s->status != 0) break;
    bias_activation(full, (long)part.batch * g->out_h * g->out_w, g->out_c, s->bias, s->bias_len, s->act);
    max_pool_2x2(full, part.batch, g->out_h, g->out_w, g->out_c, s->out + (size_t)n * pooled_floats);
  }
  free(full);
}

int conv2d_nhwc_pooled(const conv_geometry *g, const float *x, const float *w, const float *bias, int bias_len,
                       const activation_spec *act, float *out, int threads) {
  /* Several threads take whole images each (convolution, epilogue and pool), when there are at
   * least two images a thread; else the images go through one after another, each convolution on
   * all the threads. */
  const double flops = 2.0 * g->batch * g->out_h * g->out_w * (double)g->filter_h * g->filter_w * g->in_c * g->out_c;
  const int split = parallel_threads(threads, flops, g->batch, 2);
  pooled_share shares[PARALLEL_MAX_THREADS];
  if (split == 1) {
    shares[0] = (pooled_share){g, x, w, bias, bias_len, act, out, 0, g->batch, threads, 0};
    run_pooled_share(&shares[0]);
    return shares[0].status;
  }
  for (int t = 0; t < split; t++)
    shares[t] = (pooled_share){g, x, w, bias, bias_len, act, out, g->batch * t / split, g->batch * (t + 1) / split, 1, 0};
  parallel_run(split, run_pooled_share, shares, sizeof(pooled_share));
  for (int t = 0; t < split; t++)
    if (shares[t].status != 0) return shares[t].status;
  return 0;
}
