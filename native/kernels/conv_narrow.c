#include "conv_narrow.h"

#include <stdlib.h>
#include <string.h>

#include "gemm.h"

enum { LANES = 16 };

/* One output pixel: out[j] = Σ_taps Σ_c x[pixel, tap, c] · wt[j][tap, c], OUT_C known at compile time. */
static inline __attribute__((always_inline)) void pixel(const conv_geometry *g, const float *x, const float *wt,
                                                       float *out, int n, int oy, int ox, const int OUT_C) {
  const int C = g->in_c, K = g->filter_h * g->filter_w * C;
  float acc[NARROW_MAX_OUT_C][LANES] = {{0}}, tail[NARROW_MAX_OUT_C] = {0};
  for (int ky = 0; ky < g->filter_h; ky++) {
    const int iy = oy * g->stride_h - g->pad_top + ky * g->dilation_h;
    if (iy < 0 || iy >= g->in_h) continue;
    for (int kx = 0; kx < g->filter_w; kx++) {
      const int ix = ox * g->stride_w - g->pad_left + kx * g->dilation_w;
      if (ix < 0 || ix >= g->in_w) continue;
      const float *src = x + ((size_t)(n * g->in_h + iy) * g->in_w + ix) * C;
      const float *wk = wt + (size_t)(ky * g->filter_w + kx) * C;
      int c = 0;
      for (; c + LANES <= C; c += LANES) {
        for (int j = 0; j < OUT_C; j++) {
          for (int l = 0; l < LANES; l++) acc[j][l] += src[c + l] * wk[(size_t)j * K + c + l];
        }
      }
      for (; c < C; c++) {
        for (int j = 0; j < OUT_C; j++) tail[j] += src[c] * wk[(size_t)j * K + c];
      }
    }
  }
  for (int j = 0; j < OUT_C; j++) {
    float s = tail[j];
    for (int l = 0; l < LANES; l++) s += acc[j][l];
    out[j] = s;
  }
}

static inline __attribute__((always_inline)) void all_pixels(const conv_geometry *g, const float *x,
                                                            const float *wt, float *out) {
  for (int n = 0; n < g->batch; n++) {
    for (int oy = 0; oy < g->out_h; oy++) {
      for (int ox = 0; ox < g->out_w; ox++, out += g->out_c) {
        switch (g->out_c) {
          case 1: pixel(g, x, wt, out, n, oy, ox, 1); break;
          case 2: pixel(g, x, wt, out, n, oy, ox, 2); break;
          case 3: pixel(g, x, wt, out, n, oy, ox, 3); break;
          default: pixel(g, x, wt, out, n, oy, ox, 4); break;
        }
      }
    }
  }
}

static void run_generic(const conv_geometry *g, const float *x, const float *wt, float *out) { all_pixels(g, x, wt, out); }

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("avx2,fma"))) static void run_avx2(const conv_geometry *g, const float *x, const float *wt, float *out) {
  all_pixels(g, x, wt, out);
}
__attribute__((target("avx512f"))) static void run_avx512(const conv_geometry *g, const float *x, const float *wt, float *out) {
  all_pixels(g, x, wt, out);
}
#endif

int conv2d_nhwc_narrow(const conv_geometry *g, const float *x, const float *w, float *out) {
  const size_t K = (size_t)g->filter_h * g->filter_w * g->in_c;
  float *wt = malloc(sizeof(float) * (K * g->out_c > 0 ? K * g->out_c : 1));
  if (!wt) return -1;
  for (size_t k = 0; k < K; k++) { /* [K][out_c] → [out_c][K]: each output's taps contiguous */
    for (int j = 0; j < g->out_c; j++) wt[j * K + k] = w[k * g->out_c + j];
  }
  const char *isa = gemm_isa(); /* the same instruction set the GEMM microkernel chose */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  if (strcmp(isa, "avx512") == 0) run_avx512(g, x, wt, out);
  else if (strcmp(isa, "avx2") == 0) run_avx2(g, x, wt, out);
  else run_generic(g, x, wt, out);
#else
  (void)isa;
  run_generic(g, x, wt, out);
#endif
  free(wt);
  return 0;
}
