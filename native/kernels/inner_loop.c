#define _POSIX_C_SOURCE 200809L
#include "inner_loop.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "epilogue.h"
#include "gemm.h"
#include "gemm_direct.h"
#include "parallel.h"

/* Shapes of one block: input [S, h, w, cin], conv output [S, oh, ow, F] (M rows, K = 9·cin taps),
 * block output [S, nh, nw, F] (pooled, or the activation itself). */
typedef struct {
  int h, w, cin, oh, ow, nh, nw;
  long M, K;
} layer_shape;

/* What one forward pass saves for its backward pass, per block. */
typedef struct {
  float *col;           /* [M × K] im2col of the block input */
  float *xhat;          /* [M × F] normalised conv output */
  float *act;           /* [M × F] ReLU output */
  float *rstd;          /* [F] */
  float *pooled;        /* [S·nh·nw × F] (pool only) */
  unsigned char *route; /* [S·nh·nw × F] which of the 2×2 window won (pool only) */
} layer_saved;

typedef struct {
  const conv4_config *c;
  const conv4_tensors *t;
  layer_shape L[CONV4_LAYERS];
  layer_saved s[CONV4_LAYERS];
  long size[CONV4_PARAMS];
  float *grad[CONV4_PARAMS];
  float *feats;                   /* [S × F] */
  float *da, *dcol, *dh;          /* backward scratch, sized for the largest block */
  float *dwT;                     /* [F × K] a filter gradient before its transpose */
} workspace;

/* The elementwise passes in the widest vectors the CPU has (the build targets baseline x86-64). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define VECTOR_CLONES
#endif

/* Each thread keeps its workspace between calls (page-faulting ~10-40 MB in again on every call
 * costs milliseconds); one above KEEP_BYTES is freed after the call. No pthread-key destructor:
 * Node unloads the addon when a worker thread's environment ends, before the thread's key
 * destructors would run; the addon frees it from an environment cleanup hook instead. */
enum { KEEP_BYTES = 64 << 20 };
static _Thread_local struct {
  void *data;
  size_t bytes;
} cache;

void conv4_release_workspace(void) {
  free(cache.data);
  cache.data = NULL;
  cache.bytes = 0;
}

static void *workspace_memory(size_t bytes) {
  if (cache.bytes >= bytes) return cache.data;
  conv4_release_workspace();
  cache.data = aligned_alloc(64, (bytes + 63) / 64 * 64);
  cache.bytes = cache.data ? bytes : 0;
  return cache.data;
}

static void release_workspace(void) {
  if (cache.bytes > KEEP_BYTES) conv4_release_workspace();
}

/* A transposed matrix's rows (row stride 1) packed with an inlined copy: memcpy calls of ~14 floats cost more than the copy. */
VECTOR_CLONES static void pack_a_transposed(const void *ctx, int m0, int mr, int k0, int kc, int MR, float *dst) {
  const strided_matrix *a = ctx;
  const float *base = a->data + m0 + (ptrdiff_t)k0 * a->col_stride;
  for (int k = 0; k < kc; k++, dst += MR) {
    const float *src = base + (ptrdiff_t)k * a->col_stride;
    int r = 0;
    for (; r < mr; r++) dst[r] = src[r];
    for (; r < MR; r++) dst[r] = 0;
  }
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void shapes(const conv4_config *c, layer_shape *L) {
  int h = c->height, w = c->width, cin = c->channels;
  for (int l = 0; l < CONV4_LAYERS; l++) {
    const int oh = (h - 1) / c->stride + 1, ow = (w - 1) / c->stride + 1;
    L[l] = (layer_shape){h, w, cin, oh, ow, c->pool ? oh / 2 : oh, c->pool ? ow / 2 : ow, (long)c->images * oh * ow, 9L * cin};
    h = L[l].nh, w = L[l].nw, cin = c->filters;
  }
}

long conv4_param_size(const conv4_config *c, int index) {
  const int F = c->filters;
  if (index == 12) return (long)F * c->classes;
  if (index == 13) return c->classes;
  if (index % 3 != 0) return F;
  return 9L * (index == 0 ? c->channels : F) * F;
}

/* col[(n,oy,ox), (ky,kx,ci)] = x[n, oy·s − 1 + ky, ox·s − 1 + kx, ci], zero outside. */
VECTOR_CLONES static void im2col(const float *x, int S, const layer_shape *g, int stride, float *col) {
  const int C = g->cin;
  for (int n = 0; n < S; n++)
    for (int oy = 0; oy < g->oh; oy++)
      for (int ox = 0; ox < g->ow; ox++) {
        float *row = col + (((long)n * g->oh + oy) * g->ow + ox) * g->K;
        for (int ky = 0; ky < 3; ky++) {
          const int iy = oy * stride - 1 + ky;
          for (int kx = 0; kx < 3; kx++, row += C) {
            const int ix = ox * stride - 1 + kx;
            const float *src = x + (((long)n * g->h + iy) * g->w + ix) * C;
            const int inside = iy >= 0 && iy < g->h && ix >= 0 && ix < g->w;
            if (C >= 16) {
              if (inside) memcpy(row, src, sizeof(float) * C);
              else memset(row, 0, sizeof(float) * C);
            } else {
              for (int ci = 0; ci < C; ci++) row[ci] = inside ? src[ci] : 0;
            }
          }
        }
      }
}

/* dx = Σ over taps of dcol scattered back to the input pixels (col2im, the adjoint of im2col). */
VECTOR_CLONES static void col2im(const float *dcol, int S, const layer_shape *g, int stride, float *dx) {
  const int C = g->cin;
  memset(dx, 0, sizeof(float) * (size_t)S * g->h * g->w * C);
  for (int n = 0; n < S; n++)
    for (int oy = 0; oy < g->oh; oy++)
      for (int ox = 0; ox < g->ow; ox++) {
        const float *row = dcol + (((long)n * g->oh + oy) * g->ow + ox) * g->K;
        for (int ky = 0; ky < 3; ky++) {
          const int iy = oy * stride - 1 + ky;
          for (int kx = 0; kx < 3; kx++, row += C) {
            const int ix = ox * stride - 1 + kx;
            if (iy < 0 || iy >= g->h || ix < 0 || ix >= g->w) continue;
            float *dst = dx + (((long)n * g->h + iy) * g->w + ix) * C;
            for (int ci = 0; ci < C; ci++) dst[ci] += row[ci];
          }
        }
      }
}

/* z [M × F] → x̂ in place (the batch's moments, or frozen ones), act = relu(x̂·γ + β); moments out (batch). */
VECTOR_CLONES static int normalize(const conv4_config *c, float *z, long M, const float *gamma, const float *beta, const float *fmean,
                     const float *fvar, float *rstd, float *act, float *moments) {
  const int F = c->filters;
  double *mean = calloc((size_t)F * 2, sizeof(double));
  if (!mean) return -1;
  double *sq = mean + F;
  if (c->frozen) {
    for (int j = 0; j < F; j++) mean[j] = fmean[j], rstd[j] = 1.0f / sqrtf(fvar[j] + c->epsilon);
  } else {
    for (long r = 0; r < M; r++)
      for (int j = 0; j < F; j++) mean[j] += z[r * F + j];
    for (int j = 0; j < F; j++) mean[j] /= (double)M;
    for (long r = 0; r < M; r++)
      for (int j = 0; j < F; j++) {
        const double d = z[r * F + j] - mean[j];
        sq[j] += d * d;
      }
    for (int j = 0; j < F; j++) {
      rstd[j] = (float)(1.0 / sqrt(sq[j] / (double)M + c->epsilon));
      if (moments) moments[j] = (float)mean[j], moments[F + j] = (float)(sq[j] / (double)M);
    }
  }
  float *fm = malloc(sizeof(float) * F);
  if (!fm) {
    free(mean);
    return -1;
  }
  for (int j = 0; j < F; j++) fm[j] = (float)mean[j];
  for (long r = 0; r < M; r++) {
    float *zr = z + r * F, *ar = act + r * F;
    for (int j = 0; j < F; j++) {
      const float h = (zr[j] - fm[j]) * rstd[j];
      const float y = h * gamma[j] + beta[j];
      zr[j] = h;
      ar[j] = y > 0 ? y : 0;
    }
  }
  free(fm);
  free(mean);
  return 0;
}

/* 2×2 stride-2 max-pool (floor) of act [S, oh, ow, F], remembering the winner of each window. */
VECTOR_CLONES static void pool_forward(const float *act, int S, const layer_shape *g, int F, float *out, unsigned char *route) {
  for (int n = 0; n < S; n++)
    for (int i = 0; i < g->nh; i++)
      for (int j = 0; j < g->nw; j++) {
        const float *a = act + (((long)n * g->oh + 2 * i) * g->ow + 2 * j) * F;
        const float *cand[4] = {a, a + F, a + (long)g->ow * F, a + (long)g->ow * F + F};
        const long o = (((long)n * g->nh + i) * g->nw + j) * F;
        for (int f = 0; f < F; f++) {
          int best = 0;
          float v = cand[0][f];
          for (int q = 1; q < 4; q++)
            if (cand[q][f] > v) v = cand[q][f], best = q;
          out[o + f] = v;
          route[o + f] = (unsigned char)best;
        }
      }
}

static int conv_forward(const workspace *ws, int l, const float *in, const float *w, float *z) {
  const conv4_config *c = ws->c;
  const layer_shape *g = &ws->L[l];
  im2col(in, c->images, g, c->stride, ws->s[l].col);
  if (gemm_direct_available()) return gemm_direct((int)g->M, c->filters, (int)g->K, ws->s[l].col, g->K, 1, w, c->filters, z, c->filters, c->threads);
  const strided_matrix a = {ws->s[l].col, g->K, 1};
  const strided_matrix b = {w, c->filters, 1};
  return gemm_parallel((int)g->M, c->filters, (int)g->K, pack_a_strided, &a, &b, z, c->filters, c->threads);
}

/* The body at θ (params), saving for the backward pass; features [S × F]; moments at θ (batch mode, when asked). */
static int forward(const workspace *ws, float *const *params, const float *x, float *moments) {
  const conv4_config *c = ws->c;
  const int F = c->filters, S = c->images;
  const float *h = x;
  for (int l = 0; l < CONV4_LAYERS; l++) {
    const layer_shape *g = &ws->L[l];
    const layer_saved *s = &ws->s[l];
    if (conv_forward(ws, l, h, params[3 * l], s->xhat) != 0) return -1;
    if (normalize(c, s->xhat, g->M, params[3 * l + 1], params[3 * l + 2], ws->t->mean[l], ws->t->variance[l], s->rstd, s->act,
                  moments ? moments + (long)l * 2 * F : NULL) != 0)
      return -1;
    if (c->pool) pool_forward(s->act, S, g, F, s->pooled, s->route);
    h = c->pool ? s->pooled : s->act;
  }
  const layer_shape *g = &ws->L[CONV4_LAYERS - 1];
  const int area = g->nh * g->nw;
  for (int n = 0; n < S; n++) {
    float *f = ws->feats + (long)n * F;
    for (int j = 0; j < F; j++) {
      float sum = 0;
      for (int p = 0; p < area; p++) sum += h[((long)n * area + p) * F + j];
      f[j] = sum / (float)area;
    }
  }
  return 0;
}

/* Proto-MAML's head from the support features: w_c = 2μ_c, b_c = −‖μ_c‖² (classes without images: μ_c = 0). */
static void prototype_head(const workspace *ws, const int *labels, float *weight, float *bias) {
  const int F = ws->c->filters, K = ws->c->classes, S = ws->c->images;
  for (int k = 0; k < K; k++) {
    int count = 0;
    for (int n = 0; n < S; n++) count += labels[n] == k;
    double norm = 0;
    for (int f = 0; f < F; f++) {
      double sum = 0;
      for (int n = 0; n < S; n++)
        if (labels[n] == k) sum += ws->feats[(long)n * F + f];
      const float mean = (float)(sum / (count > 0 ? count : 1));
      weight[(long)f * K + k] = 2 * mean;
      norm += (double)mean * mean;
    }
    bias[k] = (float)-norm;
  }
}

/* Softmax of the logits at the head (weight, bias) in double; returns the mean cross-entropy and sets *correct. */
static double softmax_rows(const workspace *ws, const float *weight, const float *bias, const int *labels, double *p, int *correct) {
  const int F = ws->c->filters, K = ws->c->classes, S = ws->c->images;
  double loss = 0;
  *correct = 0;
  for (int n = 0; n < S; n++) {
    double *z = p + (long)n * K;
    for (int k = 0; k < K; k++) z[k] = bias[k];
    for (int f = 0; f < F; f++) {
      const double v = ws->feats[(long)n * F + f];
      if (v == 0) continue;
      for (int k = 0; k < K; k++) z[k] += v * weight[(long)f * K + k];
    }
    int best = 0;
    for (int k = 1; k < K; k++)
      if (z[k] > z[best]) best = k;
    *correct += best == labels[n];
    const double max = z[best];
    double sum = 0;
    for (int k = 0; k < K; k++) sum += exp(z[k] - max);
    const double lse = max + log(sum);
    loss += lse - z[labels[n]];
    for (int k = 0; k < K; k++) z[k] = exp(z[k] - lse);
  }
  return loss / S;
}

/* Gradients of the mean cross-entropy at params (after forward), into ws->grad. */
VECTOR_CLONES static int backward(const workspace *ws, float *const *params, const int *labels, double *p) {
  const conv4_config *c = ws->c;
  const int F = c->filters, K = c->classes, S = c->images;
  int correct;
  softmax_rows(ws, params[12], params[13], labels, p, &correct);
  float *gw = ws->grad[12], *gb = ws->grad[13];
  for (int n = 0; n < S; n++) {
    for (int k = 0; k < K; k++) p[(long)n * K + k] = (p[(long)n * K + k] - (k == labels[n])) / S;
  }
  for (int k = 0; k < K; k++) {
    double sum = 0;
    for (int n = 0; n < S; n++) sum += p[(long)n * K + k];
    gb[k] = (float)sum;
  }
  for (int f = 0; f < F; f++)
    for (int k = 0; k < K; k++) {
      double sum = 0;
      for (int n = 0; n < S; n++) sum += ws->feats[(long)n * F + f] * p[(long)n * K + k];
      gw[(long)f * K + k] = (float)sum;
    }
  /* the last block's output gradient: dfeats / area at every position */
  const layer_shape *last = &ws->L[CONV4_LAYERS - 1];
  const int area = last->nh * last->nw;
  for (int n = 0; n < S; n++)
    for (int f = 0; f < F; f++) {
      double sum = 0;
      for (int k = 0; k < K; k++) sum += p[(long)n * K + k] * params[12][(long)f * K + k];
      const float v = (float)(sum / area);
      for (int q = 0; q < area; q++) ws->dh[((long)n * area + q) * F + f] = v;
    }
  for (int l = CONV4_LAYERS - 1; l >= 0; l--) {
    const layer_shape *g = &ws->L[l];
    const layer_saved *s = &ws->s[l];
    const long MF = g->M * F;
    float *da = ws->da;
    if (c->pool) {
      memset(da, 0, sizeof(float) * MF);
      for (int n = 0; n < S; n++)
        for (int i = 0; i < g->nh; i++)
          for (int j = 0; j < g->nw; j++) {
            const long o = (((long)n * g->nh + i) * g->nw + j) * F;
            const long a = (((long)n * g->oh + 2 * i) * g->ow + 2 * j) * F;
            const long offset[4] = {a, a + F, a + (long)g->ow * F, a + (long)g->ow * F + F};
            for (int f = 0; f < F; f++) da[offset[s->route[o + f]] + f] = ws->dh[o + f];
          }
    } else {
      memcpy(da, ws->dh, sizeof(float) * MF);
    }
    for (long i = 0; i < MF; i++) da[i] = s->act[i] > 0 ? da[i] : 0;
    const float *gamma = params[3 * l + 1];
    float *dgamma = ws->grad[3 * l + 1], *dbeta = ws->grad[3 * l + 2];
    if (c->frozen) {
      double *sum = calloc((size_t)F * 2, sizeof(double));
      if (!sum) return -1;
      for (long r = 0; r < g->M; r++)
        for (int j = 0; j < F; j++) sum[j] += da[r * F + j], sum[F + j] += (double)da[r * F + j] * s->xhat[r * F + j];
      for (int j = 0; j < F; j++) dbeta[j] = (float)sum[j], dgamma[j] = (float)sum[F + j];
      free(sum);
      for (long r = 0; r < g->M; r++)
        for (int j = 0; j < F; j++) da[r * F + j] *= gamma[j] * s->rstd[j];
    } else {
      /* batch statistics: dβ = Σ dy, dγ = Σ dy·x̂, dz = γ·rstd·(dy − dβ/M − x̂·dγ/M) (in place) */
      double *sum = calloc((size_t)F * 2, sizeof(double));
      float *k1 = malloc(sizeof(float) * (size_t)F * 3);
      if (!sum || !k1) {
        free(sum), free(k1);
        return -1;
      }
      for (long r = 0; r < g->M; r++)
        for (int j = 0; j < F; j++) sum[j] += da[r * F + j], sum[F + j] += (double)da[r * F + j] * s->xhat[r * F + j];
      float *k2 = k1 + F, *k3 = k2 + F;
      for (int j = 0; j < F; j++) {
        dbeta[j] = (float)sum[j], dgamma[j] = (float)sum[F + j];
        const double scale = (double)gamma[j] * s->rstd[j];
        k1[j] = (float)scale, k2[j] = (float)(scale * sum[j] / (double)g->M), k3[j] = (float)(scale * sum[F + j] / (double)g->M);
      }
      for (long r = 0; r < g->M; r++)
        for (int j = 0; j < F; j++) da[r * F + j] = k1[j] * da[r * F + j] - k2[j] - k3[j] * s->xhat[r * F + j];
      free(sum), free(k1);
    }
    const int direct = gemm_direct_available();
    if (direct) { /* filter gradient colᵀ·dZ [K × F], A = colᵀ read in place */
      if (gemm_direct((int)g->K, F, (int)g->M, s->col, 1, g->K, da, F, ws->grad[3 * l], F, c->threads) != 0) return -1;
    } else { /* dWᵀ = dZᵀ·col [F × K] (the big col streams through B's contiguous packing), then transposed */
      const strided_matrix dzT = {da, 1, F}, col = {s->col, g->K, 1};
      if (gemm_parallel(F, (int)g->K, (int)g->M, pack_a_transposed, &dzT, &col, ws->dwT, g->K, c->threads) != 0) return -1;
      for (long k = 0; k < g->K; k++)
        for (int f = 0; f < F; f++) ws->grad[3 * l][k * F + f] = ws->dwT[(long)f * g->K + k];
    }
    if (l == 0) break;
    /* input gradient: dcol = dZ·Wᵀ [M × K], then col2im into the previous block's output gradient */
    const strided_matrix dza = {da, F, 1}, wT = {params[3 * l], 1, F};
    if (direct) {
      for (long k = 0; k < g->K; k++)
        for (int f = 0; f < F; f++) ws->dwT[(long)f * g->K + k] = params[3 * l][k * F + f];
      if (gemm_direct((int)g->M, (int)g->K, F, da, F, 1, ws->dwT, g->K, ws->dcol, g->K, c->threads) != 0) return -1;
    } else if (gemm_parallel((int)g->M, (int)g->K, F, pack_a_strided, &dza, &wT, ws->dcol, g->K, c->threads) != 0) return -1;
    col2im(ws->dcol, S, g, c->stride, ws->dh);
  }
  return 0;
}

VECTOR_CLONES static void update(const workspace *ws, const conv4_tensors *t, int step) {
  const conv4_config *c = ws->c;
  for (int q = 0; q < CONV4_PARAMS; q++) {
    if (!t->adapt[q]) continue;
    float *w = t->out[q];
    const float *g = ws->grad[q];
    const long n = ws->size[q];
    if (c->rates == RATE_PER_ELEMENT) {
      for (long i = 0; i < n; i++) w[i] = w[i] - g[i] * t->rate[q][i];
    } else {
      const float r = c->rates == RATE_PER_STEP ? t->rate[q][step] : c->lr;
      for (long i = 0; i < n; i++) w[i] = w[i] - g[i] * r;
    }
  }
}

int conv4_adapt(const conv4_config *c, const float *x, const int *labels, const conv4_tensors *t) {
  if ((c->stride != 1 && c->stride != 2) || c->images < 1 || c->filters < 1 || c->classes < 1 || c->steps < 0 || c->channels < 1)
    return -2;
  for (int n = 0; n < c->images; n++)
    if (labels[n] < 0 || labels[n] >= c->classes) return -2;
  workspace ws = {.c = c, .t = t};
  shapes(c, ws.L);
  const int F = c->filters, S = c->images;
  long floats = 0, routes = 0, da = 0, dcol = 0, dh = 0;
  for (int l = 0; l < CONV4_LAYERS; l++) {
    const layer_shape *g = &ws.L[l];
    if (g->oh < 1 || g->ow < 1 || g->nh < 1 || g->nw < 1) return -2;
    const long pooled = c->pool ? (long)S * g->nh * g->nw * F : 0;
    floats += g->M * g->K + 2 * g->M * F + F + pooled;
    routes += pooled;
    if (g->M * F > da) da = g->M * F;
    if (l > 0 && g->M * g->K > dcol) dcol = g->M * g->K;
    const long in = l > 0 ? (long)S * g->h * g->w * g->cin : 0, out = (long)S * g->nh * g->nw * F;
    if (in > dh) dh = in;
    if (out > dh) dh = out;
  }
  for (int q = 0; q < CONV4_PARAMS; q++) ws.size[q] = conv4_param_size(c, q), floats += ws.size[q];
  floats += (long)S * F + da + dcol + dh + 9L * F * (c->channels > F ? c->channels : F);
  const size_t route_bytes = ((size_t)routes + 63) / 64 * 64, p_bytes = (sizeof(double) * (size_t)S * c->classes + 63) / 64 * 64;
  char *memory = workspace_memory(p_bytes + route_bytes + sizeof(float) * (size_t)floats);
  if (!memory) return -1;
  double *p = (double *)memory;
  unsigned char *route = (unsigned char *)memory + p_bytes;
  float *arena = (float *)(route + route_bytes);
  float *next = arena;
  unsigned char *next_route = route;
#define TAKE(n) (next += (n), next - (n))
  for (int l = 0; l < CONV4_LAYERS; l++) {
    const layer_shape *g = &ws.L[l];
    const long pooled = c->pool ? (long)S * g->nh * g->nw * F : 0;
    ws.s[l].col = TAKE(g->M * g->K);
    ws.s[l].xhat = TAKE(g->M * F);
    ws.s[l].act = TAKE(g->M * F);
    ws.s[l].rstd = TAKE(F);
    ws.s[l].pooled = c->pool ? TAKE(pooled) : NULL;
    ws.s[l].route = c->pool ? next_route : NULL;
    next_route += pooled;
  }
  for (int q = 0; q < CONV4_PARAMS; q++) ws.grad[q] = TAKE(ws.size[q]);
  ws.feats = TAKE((long)S * F);
  ws.da = TAKE(da);
  ws.dcol = TAKE(dcol);
  ws.dh = TAKE(dh);
  ws.dwT = TAKE(9L * F * (c->channels > F ? c->channels : F));
#undef TAKE
  for (int q = 0; q < CONV4_PARAMS; q++)
    if (!(c->prototype && q >= 12)) memcpy(t->out[q], t->theta[q], sizeof(float) * (size_t)ws.size[q]);
  float *const *params = t->out;
  int status = 0;
  double ms[4] = {0}, t0 = now_ms(), t1;
  for (int step = 0; step < c->steps && status == 0; step++) {
    status = forward(&ws, params, x, NULL);
    if (status != 0) break;
    if (step == 0 && c->prototype) prototype_head(&ws, labels, t->out[12], t->out[13]);
    t1 = now_ms(), ms[0] += t1 - t0, t0 = t1;
    status = backward(&ws, params, labels, p);
    t1 = now_ms(), ms[1] += t1 - t0, t0 = t1;
    if (status == 0) update(&ws, t, step);
    t1 = now_ms(), ms[2] += t1 - t0, t0 = t1;
  }
  if (status == 0) status = forward(&ws, params, x, c->frozen ? NULL : t->moments);
  if (status == 0) {
    if (c->steps == 0 && c->prototype) prototype_head(&ws, labels, t->out[12], t->out[13]);
    int correct;
    t->metrics[0] = (float)softmax_rows(&ws, params[12], params[13], labels, p, &correct);
    t->metrics[1] = (float)correct / S;
    ms[3] = now_ms() - t0;
    for (int i = 0; i < 4; i++) t->metrics[2 + i] = (float)ms[i];
  }
  release_workspace();
  return status;
}
