#define _POSIX_C_SOURCE 200809L
#include "meta_gradient.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conv4_body.h"

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static size_t align64(size_t bytes) { return (bytes + 63) / 64 * 64; }

/* Tangent buffers of the R-pass, sized for the support set. */
typedef struct {
  float *rcol[CONV4_LAYERS];  /* [M × K] im2col of the block input's tangent (block 0: none) */
  float *rxhat[CONV4_LAYERS]; /* [M × F] tangent of x̂ */
  float *a2[CONV4_LAYERS];    /* [F] mean(x̂ · Rz): the tangent of σ (batch statistics) */
  float *rh;                  /* the current block output's tangent (forward), then Rdh (backward) */
  float *rh2;                 /* the other of the two */
  float *rmf;                 /* [M × F] scratch */
  float *tmp;                 /* scratch for a second GEMM product */
  float *wT, *uT;             /* [F × K] W and U transposed */
  float *rf;                  /* [S × F] */
  double *rl;                 /* [S × classes] logits' tangent, then Rdlogits */
  double *chan;               /* [2F] per-channel sums */
  float *kf;                  /* [6F] per-channel factors */
} tangents;

typedef struct {
  const conv4_meta_config *mc;
  const conv4_meta_tensors *t;
  conv4_workspace sup, qry;
  tangents r;
  long size[CONV4_PARAMS], total;
  float *traj;   /* θ_0 … θ_K, each `total` floats in parameter order */
  float *v;      /* the adjoint of θ_k */
  float *u;      /* rate ⊙ adapt ⊙ v (the Hessian product's direction) */
  float *hv;     /* H·u */
  float *dfeats; /* [S × F] (prototype head) */
} meta_ws;

static float *param(const meta_ws *m, float *base, int q) {
  long offset = 0;
  for (int i = 0; i < q; i++) offset += m->size[i];
  return base + offset;
}

static void pointers(const meta_ws *m, float *base, float **out) {
  for (int q = 0; q < CONV4_PARAMS; q++) out[q] = param(m, base, q);
}

/* The R-pass forward: tangents of every block given the direction u (block weights, γ, β, head). */
VECTOR_CLONES static int tangent_forward(meta_ws *m, float *const *theta, float *const *u) {
  const conv4_workspace *ws = &m->sup;
  const conv4_config *c = ws->c;
  const tangents *r = &m->r;
  const int F = c->filters, S = c->images, C = c->classes;
  for (int l = 0; l < CONV4_LAYERS; l++) {
    const layer_shape *g = &ws->L[l];
    const layer_saved *s = &ws->s[l];
    const long M = g->M, MF = M * F;
    float *rz = r->rxhat[l];
    /* Rz = Rcol·W + col·U (Rcol = 0 for the images) */
    if (conv4_matmul((int)M, F, (int)g->K, s->col, g->K, 1, u[3 * l], F, rz, c->threads) != 0) return -1;
    if (l > 0) {
      conv4_im2col(r->rh, S, g, c->stride, r->rcol[l]);
      if (conv4_matmul((int)M, F, (int)g->K, r->rcol[l], g->K, 1, theta[3 * l], F, r->tmp, c->threads) != 0) return -1;
      for (long i = 0; i < MF; i++) rz[i] += r->tmp[i];
    }
    const float *gamma = theta[3 * l + 1], *ug = u[3 * l + 1], *ub = u[3 * l + 2];
    float *a2 = r->a2[l];
    double *a1 = r->chan, *b2 = r->chan + F;
    for (int j = 0; j < F; j++) a1[j] = b2[j] = 0;
    if (!c->frozen) {
      for (long i = 0; i < M; i++)
        for (int j = 0; j < F; j++) a1[j] += rz[i * F + j], b2[j] += (double)s->xhat[i * F + j] * rz[i * F + j];
    }
    float *kk1 = r->kf, *kk2 = r->kf + F;
    for (int j = 0; j < F; j++) {
      a2[j] = c->frozen ? 0 : (float)(b2[j] / (double)M);
      kk1[j] = c->frozen ? 0 : (float)(a1[j] / (double)M);
      kk2[j] = a2[j];
    }
    /* Rx̂ = rstd·(Rz − mean Rz − x̂·mean(x̂ Rz)) (frozen: rstd·Rz); Ra = (Uγ·x̂ + γ·Rx̂ + Uβ)·[act > 0] */
    float *ra = r->rmf;
    for (long i = 0; i < M; i++)
      for (int j = 0; j < F; j++) {
        const long e = i * F + j;
        const float rx = s->rstd[j] * (rz[e] - kk1[j] - s->xhat[e] * kk2[j]);
        rz[e] = rx;
        ra[e] = s->act[e] > 0 ? ug[j] * s->xhat[e] + gamma[j] * rx + ub[j] : 0;
      }
    float *out = r->rh2;
    if (c->pool) conv4_pool_gather(ws, l, ra, out);
    else memcpy(out, ra, sizeof(float) * MF);
    float *swap = m->r.rh;
    m->r.rh = out, m->r.rh2 = swap;
  }
  /* Rf = mean over space; Rlogits = Rf·Wh + f·Uh + Ub */
  const layer_shape *last = &ws->L[CONV4_LAYERS - 1];
  const int area = last->nh * last->nw;
  for (int n = 0; n < S; n++)
    for (int j = 0; j < F; j++) {
      float sum = 0;
      for (int p = 0; p < area; p++) sum += r->rh[((long)n * area + p) * F + j];
      r->rf[(long)n * F + j] = sum / (float)area;
    }
  for (int n = 0; n < S; n++) {
    double *z = r->rl + (long)n * C;
    for (int k = 0; k < C; k++) z[k] = u[13][k];
    for (int f = 0; f < F; f++) {
      const double a = r->rf[(long)n * F + f], b = ws->feats[(long)n * F + f];
      for (int k = 0; k < C; k++) z[k] += a * theta[12][(long)f * C + k] + b * u[12][(long)f * C + k];
    }
  }
  return 0;
}

/* The R-pass backward: hv = the tangent of the support loss's gradient (the Hessian-vector product). */
VECTOR_CLONES static int tangent_backward(meta_ws *m, float *const *theta, float *const *u, const int *labels, float *const *hv) {
  const conv4_workspace *ws = &m->sup;
  const conv4_config *c = ws->c;
  const tangents *r = &m->r;
  const int F = c->filters, S = c->images, C = c->classes;
  /* head: dl = ws->p = (p − onehot)/S; Rdl = p ⊙ (Rl − ⟨p, Rl⟩)/S */
  for (int n = 0; n < S; n++) {
    double *z = r->rl + (long)n * C, dot = 0;
    const double *dl = ws->p + (long)n * C;
    for (int k = 0; k < C; k++) dot += (dl[k] * S + (k == labels[n])) * z[k];
    for (int k = 0; k < C; k++) z[k] = (dl[k] * S + (k == labels[n])) * (z[k] - dot) / S;
  }
  for (int k = 0; k < C; k++) {
    double sum = 0;
    for (int n = 0; n < S; n++) sum += r->rl[(long)n * C + k];
    hv[13][k] = (float)sum;
  }
  for (int f = 0; f < F; f++)
    for (int k = 0; k < C; k++) {
      double sum = 0;
      for (int n = 0; n < S; n++) sum += (double)r->rf[(long)n * F + f] * ws->p[(long)n * C + k] + (double)ws->feats[(long)n * F + f] * r->rl[(long)n * C + k];
      hv[12][(long)f * C + k] = (float)sum;
    }
  const layer_shape *last = &ws->L[CONV4_LAYERS - 1];
  const int area = last->nh * last->nw;
  float *rdh = r->rh;
  for (int n = 0; n < S; n++)
    for (int f = 0; f < F; f++) {
      double sum = 0;
      for (int k = 0; k < C; k++) sum += r->rl[(long)n * C + k] * theta[12][(long)f * C + k] + ws->p[(long)n * C + k] * u[12][(long)f * C + k];
      const float value = (float)(sum / area);
      for (int q = 0; q < area; q++) rdh[((long)n * area + q) * F + f] = value;
    }
  for (int l = CONV4_LAYERS - 1; l >= 0; l--) {
    const layer_shape *g = &ws->L[l];
    const layer_saved *s = &ws->s[l];
    const long M = g->M, MF = M * F;
    float *rd = r->rmf;
    if (c->pool) conv4_pool_scatter(ws, l, rdh, rd);
    else memcpy(rd, rdh, sizeof(float) * MF);
    const float *rx = r->rxhat[l], *gamma = theta[3 * l + 1], *ug = u[3 * l + 1];
    double *sum = r->chan;
    float *k = r->kf;
    memset(sum, 0, sizeof(double) * 2 * (size_t)F);
    for (long i = 0; i < M; i++)
      for (int j = 0; j < F; j++) {
        const long e = i * F + j;
        const float rdy = s->act[e] > 0 ? rd[e] : 0;
        rd[e] = rdy;
        sum[j] += rdy;
        sum[F + j] += (double)rdy * s->xhat[e] + (double)s->dy[e] * rx[e];
      }
    /* batch statistics: Rdz = (Uγ·rstd + γ·Rrstd)(dy − m1 − x̂·m2) + γ·rstd·(Rdy − Rm1 − Rx̂·m2 − x̂·Rm2),
     * m1 = Σdy/M, m2 = Σdy·x̂/M (the primal dβ/M, dγ/M), Rrstd = −rstd²·a2; frozen: Uγ·rstd·dy + γ·rstd·Rdy */
    float *ka = k, *m1 = k + F, *m2 = k + 2 * F, *kb = k + 3 * F, *rm1 = k + 4 * F, *rm2 = k + 5 * F;
    for (int j = 0; j < F; j++) {
      hv[3 * l + 2][j] = (float)sum[j], hv[3 * l + 1][j] = (float)sum[F + j];
      const float rstd = s->rstd[j];
      ka[j] = ug[j] * rstd - gamma[j] * rstd * rstd * r->a2[l][j];
      kb[j] = gamma[j] * rstd;
      m1[j] = c->frozen ? 0 : ws->grad[3 * l + 2][j] / (float)M;
      m2[j] = c->frozen ? 0 : ws->grad[3 * l + 1][j] / (float)M;
      rm1[j] = c->frozen ? 0 : (float)(sum[j] / (double)M);
      rm2[j] = c->frozen ? 0 : (float)(sum[F + j] / (double)M);
    }
    for (long i = 0; i < M; i++)
      for (int j = 0; j < F; j++) {
        const long e = i * F + j;
        rd[e] = ka[j] * (s->dy[e] - m1[j] - s->xhat[e] * m2[j]) + kb[j] * (rd[e] - rm1[j] - rx[e] * m2[j] - s->xhat[e] * rm2[j]);
      }
    /* RdW = colᵀ·Rdz + Rcolᵀ·dz */
    if (conv4_matmul((int)g->K, F, (int)M, s->col, 1, g->K, rd, F, hv[3 * l], c->threads) != 0) return -1;
    if (l > 0) {
      if (conv4_matmul((int)g->K, F, (int)M, r->rcol[l], 1, g->K, s->dz, F, r->tmp, c->threads) != 0) return -1;
      for (long i = 0; i < g->K * F; i++) hv[3 * l][i] += r->tmp[i];
    }
    if (l == 0) break;
    /* Rdcol = Rdz·Wᵀ + dz·Uᵀ, then col2im into the previous block's Rdh */
    for (long kk = 0; kk < g->K; kk++)
      for (int f = 0; f < F; f++) {
        r->wT[(long)f * g->K + kk] = theta[3 * l][kk * F + f];
        r->uT[(long)f * g->K + kk] = u[3 * l][kk * F + f];
      }
    float *rdcol = r->rcol[l]; /* Rcol is read above for the last time */
    if (conv4_matmul((int)M, (int)g->K, F, rd, F, 1, r->wT, g->K, rdcol, c->threads) != 0) return -1;
    if (conv4_matmul((int)M, (int)g->K, F, s->dz, F, 1, r->uT, g->K, r->tmp, c->threads) != 0) return -1;
    for (long i = 0; i < M * g->K; i++) rdcol[i] += r->tmp[i];
    conv4_col2im(rdcol, S, g, c->stride, rdh);
  }
  return 0;
}

/* Forward and backward (saving for the R-pass) on the support set at θ_k. */
static int support_pass(meta_ws *m, int k, const float *xs, const int *ys) {
  float *theta[CONV4_PARAMS];
  pointers(m, m->traj + (long)k * m->total, theta);
  if (conv4_forward(&m->sup, theta, xs, NULL) != 0) return -1;
  if (k == 0 && m->mc->inner.prototype) conv4_prototype_head(&m->sup, ys, theta[12], theta[13]);
  return conv4_backward(&m->sup, theta, ys);
}

int conv4_meta_gradient(const conv4_meta_config *mc, const float *xs, const int *ys, const float *xq, const int *yq, const conv4_meta_tensors *t) {
  const conv4_config *c = &mc->inner;
  if ((c->stride != 1 && c->stride != 2) || c->images < 1 || mc->queries < 1 || c->filters < 1 || c->classes < 1 || c->steps < 0 ||
      c->channels < 1)
    return -2;
  if (c->prototype && c->rates != RATE_SCALAR) return -2;
  for (int n = 0; n < c->images; n++)
    if (ys[n] < 0 || ys[n] >= c->classes) return -2;
  for (int n = 0; n < mc->queries; n++)
    if (yq[n] < 0 || yq[n] >= c->classes) return -2;
  conv4_config qc = *c;
  qc.images = mc->queries;
  meta_ws m = {.mc = mc, .t = t};
  for (int q = 0; q < CONV4_PARAMS; q++) m.size[q] = conv4_param_size(c, q), m.total += m.size[q];
  const size_t sup_bytes = conv4_workspace_bytes(c, 1), qry_bytes = conv4_workspace_bytes(&qc, 0);
  if (sup_bytes == 0 || qry_bytes == 0) return -2;
  const int F = c->filters, S = c->images, steps = c->steps;
  layer_shape L[CONV4_LAYERS];
  conv4_shapes(c, L);
  long floats = (long)(steps + 4) * m.total + (long)S * F * 2 + 10L * F, maxMF = 0, maxMK = 0, maxKF = 0, maxH = 0;
  size_t bytes = align64(sup_bytes) + align64(qry_bytes);
  for (int l = 0; l < CONV4_LAYERS; l++) {
    const layer_shape *g = &L[l];
    floats += g->M * g->K + g->M * F + F; /* rcol, rxhat, a2 */
    if (g->M * F > maxMF) maxMF = g->M * F;
    if (g->M * g->K > maxMK) maxMK = g->M * g->K;
    if (g->K * F > maxKF) maxKF = g->K * F;
    const long in = (long)S * g->h * g->w * g->cin, out = (long)S * g->nh * g->nw * F;
    if (in > maxH) maxH = in;
    if (out > maxH) maxH = out;
  }
  const long tmp = maxMF > maxMK ? (maxMF > maxKF ? maxMF : maxKF) : (maxMK > maxKF ? maxMK : maxKF);
  floats += 2 * maxH + maxMF + tmp + 2 * maxKF;
  bytes += align64(sizeof(double) * (size_t)S * c->classes) + sizeof(float) * (size_t)floats + 64 * 64; /* + TAKE's rounding */
  void *memory = conv4_workspace_memory(bytes);
  if (!memory) return -1;
  char *base = memory;
  conv4_workspace_init(&m.sup, c, t->mean, t->variance, 1, base);
  base += align64(sup_bytes);
  conv4_workspace_init(&m.qry, &qc, t->mean, t->variance, 0, base);
  base += align64(qry_bytes);
  m.r.rl = (double *)base;
  base += align64(sizeof(double) * (size_t)S * c->classes);
  float *next = (float *)base;
#define TAKE(n) (next += ((n) + 15) / 16 * 16, next - ((n) + 15) / 16 * 16)
  m.traj = next, next += (long)(steps + 1) * m.total;
  m.v = next, next += m.total;
  m.u = next, next += m.total;
  m.hv = next, next += m.total;
  m.dfeats = TAKE((long)S * F);
  m.r.rf = TAKE((long)S * F);
  for (int l = 0; l < CONV4_LAYERS; l++) {
    m.r.rcol[l] = TAKE(L[l].M * L[l].K);
    m.r.rxhat[l] = TAKE(L[l].M * F);
    m.r.a2[l] = TAKE(F);
  }
  m.r.rh = TAKE(maxH);
  m.r.rh2 = TAKE(maxH);
  m.r.rmf = TAKE(maxMF);
  m.r.tmp = TAKE(tmp);
  m.r.wT = TAKE(maxKF);
  m.r.uT = TAKE(maxKF);
  m.r.chan = (double *)TAKE(4L * F);
  m.r.kf = TAKE(6L * F);
#undef TAKE
  if ((char *)next > (char *)memory + bytes) return -1; /* cannot happen: the layout above fits `bytes` */

  double ms[4] = {0}, t0 = now_ms(), t1;
#define LAP(i) (t1 = now_ms(), ms[i] += t1 - t0, t0 = t1)
  /* θ_0 = θ (the prototype head comes from the first support pass) */
  for (int q = 0; q < CONV4_PARAMS; q++)
    if (!(c->prototype && q >= 12)) memcpy(param(&m, m.traj, q), t->theta[q], sizeof(float) * (size_t)m.size[q]);
  int status = 0, held = -1;
  for (int k = 0; k < steps && status == 0; k++) {
    status = support_pass(&m, k, xs, ys);
    held = k;
    float *from = m.traj + (long)k * m.total, *to = from + m.total;
    memcpy(to, from, sizeof(float) * (size_t)m.total);
    for (int q = 0; q < CONV4_PARAMS && status == 0; q++)
      if (t->adapt[q]) conv4_add_rated(c, t->rate[q], k, -1, m.sup.grad[q], param(&m, to, q), m.size[q]);
  }
  if (status == 0 && steps == 0 && c->prototype) {
    float *theta[CONV4_PARAMS];
    pointers(&m, m.traj, theta);
    status = conv4_forward(&m.sup, theta, xs, NULL);
    if (status == 0) conv4_prototype_head(&m.sup, ys, theta[12], theta[13]);
    held = -2; /* forward only */
  }
  LAP(0);
  memset(m.v, 0, sizeof(float) * (size_t)m.total);
  double objective = 0;
  float metrics[2] = {0};
  for (int k = steps; k >= 0 && status == 0; k--) {
    /* the query loss at θ_k, weight w_k (θ_0 only when there are no steps) */
    const float w = steps == 0 ? 1 : k == 0 ? 0 : t->step_weights ? t->step_weights[k - 1] : (k == steps ? 1 : 0);
    if (w != 0 || k == steps) {
      float *theta[CONV4_PARAMS];
      pointers(&m, m.traj + (long)k * m.total, theta);
      status = conv4_forward(&m.qry, theta, xq, NULL);
      if (status != 0) break;
      int correct;
      const double loss = conv4_softmax(&m.qry, theta[12], theta[13], yq, m.qry.p, &correct);
      if (k == steps) metrics[0] = (float)loss, metrics[1] = (float)correct / mc->queries;
      objective += w * loss;
      if (w != 0) {
        status = conv4_backward(&m.qry, theta, yq);
        for (int q = 0; q < CONV4_PARAMS && status == 0; q++) {
          float *v = param(&m, m.v, q);
          for (long i = 0; i < m.size[q]; i++) v[i] += w * m.qry.grad[q][i];
        }
      }
      LAP(1);
    }
    if (k == 0 || status != 0) break;
    /* back through θ_k = θ_{k−1} − rate ⊙ g_{k−1} */
    const int learned = c->rates != RATE_SCALAR;
    if (!mc->first_order || learned) {
      if (held != k - 1) status = support_pass(&m, k - 1, xs, ys), held = k - 1;
      if (status != 0) break;
      LAP(0);
    }
    if (learned) {
      for (int q = 0; q < CONV4_PARAMS; q++) {
        if (!t->adapt[q]) continue;
        const float *g = m.sup.grad[q], *v = param(&m, m.v, q);
        if (c->rates == RATE_PER_STEP) {
          double sum = 0;
          for (long i = 0; i < m.size[q]; i++) sum += (double)g[i] * v[i];
          t->rate_grad[q][k - 1] -= t->scale * (float)sum;
        } else {
          for (long i = 0; i < m.size[q]; i++) t->rate_grad[q][i] -= t->scale * g[i] * v[i];
        }
      }
    }
    if (mc->first_order) continue;
    int any = 0;
    memset(m.u, 0, sizeof(float) * (size_t)m.total);
    for (int q = 0; q < CONV4_PARAMS; q++) {
      if (!t->adapt[q]) continue;
      conv4_add_rated(c, t->rate[q], k - 1, 1, param(&m, m.v, q), param(&m, m.u, q), m.size[q]);
      any = 1;
    }
    if (!any) continue;
    float *theta[CONV4_PARAMS], *u[CONV4_PARAMS], *hv[CONV4_PARAMS];
    pointers(&m, m.traj + (long)(k - 1) * m.total, theta);
    pointers(&m, m.u, u);
    pointers(&m, m.hv, hv);
    status = tangent_forward(&m, theta, u);
    if (status == 0) status = tangent_backward(&m, theta, u, ys, hv);
    if (status == 0)
      for (long i = 0; i < m.total; i++) m.v[i] -= m.hv[i];
    LAP(2);
  }
  if (status == 0 && c->prototype) {
    /* the head at θ_0 is 2μ_c, −‖μ_c‖² of the support features: their gradient, then the body's */
    float *theta[CONV4_PARAMS];
    pointers(&m, m.traj, theta);
    if (held == -1 || held > 0) status = conv4_forward(&m.sup, theta, xs, NULL);
    const int C = c->classes;
    const float *vw = param(&m, m.v, 12), *vb = param(&m, m.v, 13);
    for (int n = 0; n < S && status == 0; n++) {
      int count = 0;
      for (int j = 0; j < S; j++) count += ys[j] == ys[n];
      const int y = ys[n];
      for (int f = 0; f < F; f++) {
        const float mu = theta[12][(long)f * C + y] / 2;
        m.dfeats[(long)n * F + f] = (2 * vw[(long)f * C + y] - 2 * mu * vb[y]) / (float)count;
      }
    }
    if (status == 0) status = conv4_backward_from_features(&m.sup, theta, m.dfeats);
    for (int q = 0; q < 12 && status == 0; q++) {
      float *v = param(&m, m.v, q);
      for (long i = 0; i < m.size[q]; i++) v[i] += m.sup.grad[q][i];
    }
  }
  if (status == 0) {
    for (int q = 0; q < CONV4_PARAMS; q++) {
      if (c->prototype && q >= 12) continue;
      const float *v = param(&m, m.v, q);
      for (long i = 0; i < m.size[q]; i++) t->grad[q][i] += t->scale * v[i];
    }
    LAP(3);
    t->metrics[0] += t->scale * (float)objective;
    t->metrics[1] += t->scale * metrics[0];
    t->metrics[2] += t->scale * metrics[1];
    for (int i = 0; i < 4; i++) t->metrics[3 + i] += (float)ms[i];
  }
#undef LAP
  conv4_workspace_done((size_t)512 << 20); /* a training thread: the same shapes every meta-step */
  return status;
}
