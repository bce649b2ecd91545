#define _POSIX_C_SOURCE 200809L
#include "conv4_body.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "gemm_direct.h"
#include "parallel.h"

/* Each thread keeps its workspace between calls (page-faulting ~10-100 MB in again on every call
 * costs milliseconds); the caller says above which size it is freed after the call (the API's
 * inference threads keep less than the training worker's threads). No pthread-key destructor:
 * Node unloads the addon when a worker thread's environment ends, before the thread's key
 * destructors would run; the addon frees it from an environment cleanup hook instead. */
static _Thread_local struct {
  void *data;
  size_t bytes;
} cache;

void conv4_release_workspace(void) {
  free(cache.data);
  cache.data = NULL;
  cache.bytes = 0;
}

void *conv4_workspace_memory(size_t bytes) {
  if (cache.bytes >= bytes) return cache.data;
  conv4_release_workspace();
  cache.data = aligned_alloc(64, (bytes + 63) / 64 * 64);
  cache.bytes = cache.data ? bytes : 0;
  return cache.data;
}

void conv4_workspace_done(size_t keep) {
  if (cache.bytes > keep) conv4_release_workspace();
}

static size_t align64(size_t bytes) { return (bytes + 63) / 64 * 64; }

void conv4_shapes(const conv4_config *c, layer_shape *L) {
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

/* Float counts of the workspace's parts (the layout of conv4_workspace_init). */
typedef struct {
  long floats, routes, da, dcol, dh;
} sizes;

static int measure(const conv4_config *c, const layer_shape *L, int save, sizes *z) {
  const int F = c->filters, S = c->images;
  *z = (sizes){0};
  for (int l = 0; l < CONV4_LAYERS; l++) {
    const layer_shape *g = &L[l];
    if (g->oh < 1 || g->ow < 1 || g->nh < 1 || g->nw < 1) return 0;
    const long pooled = c->pool ? (long)S * g->nh * g->nw * F : 0;
    z->floats += g->M * g->K + (save ? 4 : 2) * g->M * F + F + pooled;
    z->routes += pooled;
    if (g->M * F > z->da) z->da = g->M * F;
    if (l > 0 && g->M * g->K > z->dcol) z->dcol = g->M * g->K;
    const long in = l > 0 ? (long)S * g->h * g->w * g->cin : 0, out = (long)S * g->nh * g->nw * F;
    if (in > z->dh) z->dh = in;
    if (out > z->dh) z->dh = out;
  }
  for (int q = 0; q < CONV4_PARAMS; q++) z->floats += conv4_param_size(c, q);
  z->floats += (long)S * F + z->da + z->dcol + z->dh + 9L * F * (c->channels > F ? c->channels : F);
  return 1;
}

size_t conv4_workspace_bytes(const conv4_config *c, int save) {
  layer_shape L[CONV4_LAYERS];
  sizes z;
  conv4_shapes(c, L);
  if (!measure(c, L, save, &z)) return 0;
  return align64(sizeof(double) * (size_t)c->images * c->classes) + align64((size_t)z.routes) + sizeof(float) * (size_t)z.floats;
}

void conv4_workspace_init(conv4_workspace *ws, const conv4_config *c, const float *const *mean, const float *const *variance, int save,
                          void *memory) {
  *ws = (conv4_workspace){.c = c};
  for (int l = 0; l < CONV4_LAYERS; l++) ws->mean[l] = mean ? mean[l] : NULL, ws->variance[l] = variance ? variance[l] : NULL;
  conv4_shapes(c, ws->L);
  sizes z;
  measure(c, ws->L, save, &z);
  const int F = c->filters, S = c->images;
  ws->p = memory;
  unsigned char *route = (unsigned char *)memory + align64(sizeof(double) * (size_t)S * c->classes);
  float *next = (float *)(route + align64((size_t)z.routes));
#define TAKE(n) (next += (n), next - (n))
  for (int l = 0; l < CONV4_LAYERS; l++) {
    const layer_shape *g = &ws->L[l];
    const long pooled = c->pool ? (long)S * g->nh * g->nw * F : 0;
    layer_saved *s = &ws->s[l];
    s->col = TAKE(g->M * g->K);
    s->xhat = TAKE(g->M * F);
    s->act = TAKE(g->M * F);
    s->rstd = TAKE(F);
    s->pooled = c->pool ? TAKE(pooled) : NULL;
    s->route = c->pool ? route : NULL;
    route += pooled;
    s->dy = save ? TAKE(g->M * F) : NULL;
    s->dz = save ? TAKE(g->M * F) : NULL;
  }
  for (int q = 0; q < CONV4_PARAMS; q++) ws->size[q] = conv4_param_size(c, q), ws->grad[q] = TAKE(ws->size[q]);
  ws->feats = TAKE((long)S * F);
  ws->da = TAKE(z.da);
  ws->dcol = TAKE(z.dcol);
  ws->dh = TAKE(z.dh);
  ws->dwT = TAKE(9L * F * (c->channels > F ? c->channels : F));
#undef TAKE
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

int conv4_matmul(int M, int N, int K, const float *a, ptrdiff_t rs, ptrdiff_t cs, const float *b, ptrdiff_t ldb, float *c, int threads) {
  if (gemm_direct_available()) return gemm_direct(M, N, K, a, rs, cs, b, ldb, c, N, threads);
  const strided_matrix am = {a, rs, cs}, bm = {b, ldb, 1};
  return gemm_parallel(M, N, K, rs == 1 ? pack_a_transposed : pack_a_strided, &am, &bm, c, N, threads);
}

VECTOR_CLONES void conv4_im2col(const float *x, int S, const layer_shape *g, int stride, float *col) {
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

VECTOR_CLONES void conv4_col2im(const float *dcol, int S, const layer_shape *g, int stride, float *dx) {
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
VECTOR_CLONES static int normalize(const conv4_workspace *ws, int l, float *z, long M, const float *gamma, const float *beta, float *rstd,
                                   float *act, float *moments) {
  const conv4_config *c = ws->c;
  const int F = c->filters;
  double *mean = calloc((size_t)F * 2, sizeof(double));
  if (!mean) return -1;
  double *sq = mean + F;
  if (c->frozen) {
    for (int j = 0; j < F; j++) mean[j] = ws->mean[l][j], rstd[j] = 1.0f / sqrtf(ws->variance[l][j] + c->epsilon);
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

/* Pooled element o ↔ the winner of its 2×2 window in the full activation: to[o] = from[winner]
 * (gather) or to[winner] = from[o] (scatter; `to` is not cleared here). */
VECTOR_CLONES static void route(const conv4_workspace *ws, int l, const float *from, float *to, int scatter) {
  const layer_shape *g = &ws->L[l];
  const unsigned char *winner = ws->s[l].route;
  const int F = ws->c->filters;
  for (int n = 0; n < ws->c->images; n++)
    for (int i = 0; i < g->nh; i++)
      for (int j = 0; j < g->nw; j++) {
        const long o = (((long)n * g->nh + i) * g->nw + j) * F;
        const long a = (((long)n * g->oh + 2 * i) * g->ow + 2 * j) * F;
        const long window[4] = {a, a + F, a + (long)g->ow * F, a + (long)g->ow * F + F};
        for (int f = 0; f < F; f++) {
          const long w = window[winner[o + f]] + f;
          if (scatter) to[w] = from[o + f];
          else to[o + f] = from[w];
        }
      }
}

void conv4_pool_gather(const conv4_workspace *ws, int l, const float *full, float *pooled) { route(ws, l, full, pooled, 0); }

void conv4_pool_scatter(const conv4_workspace *ws, int l, const float *pooled, float *full) {
  memset(full, 0, sizeof(float) * (size_t)ws->L[l].M * ws->c->filters);
  route(ws, l, pooled, full, 1);
}

int conv4_forward(const conv4_workspace *ws, float *const *params, const float *x, float *moments) {
  const conv4_config *c = ws->c;
  const int F = c->filters, S = c->images;
  const float *h = x;
  for (int l = 0; l < CONV4_LAYERS; l++) {
    const layer_shape *g = &ws->L[l];
    const layer_saved *s = &ws->s[l];
    conv4_im2col(h, S, g, c->stride, s->col);
    if (conv4_matmul((int)g->M, F, (int)g->K, s->col, g->K, 1, params[3 * l], F, s->xhat, c->threads) != 0) return -1;
    if (normalize(ws, l, s->xhat, g->M, params[3 * l + 1], params[3 * l + 2], s->rstd, s->act, moments ? moments + (long)l * 2 * F : NULL) != 0)
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

VECTOR_CLONES void conv4_add_rated(const conv4_config *c, const float *rate, int step, float alpha, const float *x, float *out, long n) {
  if (c->rates == RATE_PER_ELEMENT) {
    for (long i = 0; i < n; i++) out[i] += alpha * rate[i] * x[i];
    return;
  }
  const float r = alpha * (c->rates == RATE_PER_STEP ? rate[step] : c->lr);
  for (long i = 0; i < n; i++) out[i] += r * x[i];
}

void conv4_prototype_head(const conv4_workspace *ws, const int *labels, float *weight, float *bias) {
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

double conv4_softmax(const conv4_workspace *ws, const float *weight, const float *bias, const int *labels, double *p, int *correct) {
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

/* From ws->dh (the last block's output gradient) down: the body's 12 gradients. */
VECTOR_CLONES static int body_backward(const conv4_workspace *ws, float *const *params) {
  const conv4_config *c = ws->c;
  const int F = c->filters, S = c->images;
  for (int l = CONV4_LAYERS - 1; l >= 0; l--) {
    const layer_shape *g = &ws->L[l];
    const layer_saved *s = &ws->s[l];
    const long MF = g->M * F;
    float *da = s->dz ? s->dz : ws->da;
    if (c->pool) conv4_pool_scatter(ws, l, ws->dh, da);
    else memcpy(da, ws->dh, sizeof(float) * MF);
    for (long i = 0; i < MF; i++) da[i] = s->act[i] > 0 ? da[i] : 0;
    if (s->dy) memcpy(s->dy, da, sizeof(float) * MF);
    const float *gamma = params[3 * l + 1];
    float *dgamma = ws->grad[3 * l + 1], *dbeta = ws->grad[3 * l + 2];
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
      /* batch statistics: dz = γ·rstd·(dy − dβ/M − x̂·dγ/M); frozen moments: dz = γ·rstd·dy */
      k1[j] = (float)scale;
      k2[j] = c->frozen ? 0 : (float)(scale * sum[j] / (double)g->M);
      k3[j] = c->frozen ? 0 : (float)(scale * sum[F + j] / (double)g->M);
    }
    for (long r = 0; r < g->M; r++)
      for (int j = 0; j < F; j++) da[r * F + j] = k1[j] * da[r * F + j] - k2[j] - k3[j] * s->xhat[r * F + j];
    free(sum), free(k1);
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
    for (long k = 0; k < g->K; k++)
      for (int f = 0; f < F; f++) ws->dwT[(long)f * g->K + k] = params[3 * l][k * F + f];
    if (conv4_matmul((int)g->M, (int)g->K, F, da, F, 1, ws->dwT, g->K, ws->dcol, c->threads) != 0) return -1;
    conv4_col2im(ws->dcol, S, g, c->stride, ws->dh);
  }
  return 0;
}

/* ws->dh = dfeats / area at every position of the last block's output. */
static void spread_features(const conv4_workspace *ws, const float *dfeats) {
  const int F = ws->c->filters, S = ws->c->images;
  const layer_shape *last = &ws->L[CONV4_LAYERS - 1];
  const int area = last->nh * last->nw;
  for (int n = 0; n < S; n++)
    for (int f = 0; f < F; f++) {
      const float v = dfeats[(long)n * F + f] / area;
      for (int q = 0; q < area; q++) ws->dh[((long)n * area + q) * F + f] = v;
    }
}

int conv4_backward_from_features(const conv4_workspace *ws, float *const *params, const float *dfeats) {
  spread_features(ws, dfeats);
  return body_backward(ws, params);
}

int conv4_backward(const conv4_workspace *ws, float *const *params, const int *labels) {
  const int F = ws->c->filters, K = ws->c->classes, S = ws->c->images;
  double *p = ws->p;
  int correct;
  conv4_softmax(ws, params[12], params[13], labels, p, &correct);
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
  /* the last block's output gradient: dfeats / area at every position, dfeats = dlogits·Whᵀ */
  const layer_shape *last = &ws->L[CONV4_LAYERS - 1];
  const int area = last->nh * last->nw;
  for (int n = 0; n < S; n++)
    for (int f = 0; f < F; f++) {
      double sum = 0;
      for (int k = 0; k < K; k++) sum += p[(long)n * K + k] * params[12][(long)f * K + k];
      const float v = (float)(sum / area);
      for (int q = 0; q < area; q++) ws->dh[((long)n * area + q) * F + f] = v;
    }
  return body_backward(ws, params);
}
