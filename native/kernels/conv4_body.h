/*
 * Conv4's forward and backward passes on raw float arrays, shared by the first-order inner loop
 * (inner_loop.c) and the second-order meta-gradient (meta_gradient.c); internal to the addon.
 *
 * A workspace holds, for one batch of images, what a forward pass saves for its backward pass
 * (per block: im2col matrix, x̂, 1/σ, activation, pooled output and max-pool routes) and the
 * gradients of the last backward pass; with `save`, the backward pass also keeps each block's
 * ReLU-masked output gradient dy and conv-output gradient dz, and the softmax rows, which the
 * meta-gradient's Hessian-vector product (R-pass) reads. Layouts: NHWC, conv weights HWIO
 * ([3,3,cin,F] = [K × F], K = 9·cin in (ky, kx, ci) order, the im2col column order).
 * Memory comes from one per-thread block (conv4_workspace_memory) kept between calls.
 */
#ifndef MAML_KERNELS_CONV4_BODY_H
#define MAML_KERNELS_CONV4_BODY_H

#include <stddef.h>

#include "inner_loop.h"

/* The elementwise passes in the widest vectors the CPU has (the build targets baseline x86-64). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define VECTOR_CLONES
#endif

/* Shapes of one block: input [S, h, w, cin], conv output [S, oh, ow, F] (M rows, K = 9·cin taps),
 * block output [S, nh, nw, F] (pooled, or the activation itself). */
typedef struct {
  int h, w, cin, oh, ow, nh, nw;
  long M, K;
} layer_shape;

typedef struct {
  float *col;           /* [M × K] im2col of the block input */
  float *xhat;          /* [M × F] normalised conv output */
  float *act;           /* [M × F] ReLU output */
  float *rstd;          /* [F] */
  float *pooled;        /* [S·nh·nw × F] (pool only) */
  unsigned char *route; /* [S·nh·nw × F] which of the 2×2 window won (pool only) */
  float *dy, *dz;       /* [M × F] each, with save: the last backward's ReLU-masked and conv-output gradients */
} layer_saved;

typedef struct {
  const conv4_config *c;
  const float *mean[CONV4_LAYERS], *variance[CONV4_LAYERS]; /* frozen moments */
  layer_shape L[CONV4_LAYERS];
  layer_saved s[CONV4_LAYERS];
  long size[CONV4_PARAMS];
  float *grad[CONV4_PARAMS];
  float *feats;          /* [S × F] */
  double *p;             /* [S × classes]: softmax rows, after a backward pass (p − onehot)/S */
  float *da, *dcol, *dh; /* backward scratch, sized for the largest block */
  float *dwT;            /* [F × K] a filter gradient before its transpose, or Wᵀ */
} conv4_workspace;

/* The blocks' shapes for c->images images. */
void conv4_shapes(const conv4_config *c, layer_shape *L);

/* Bytes a workspace for `c` needs (c->images images), or 0 for shapes it does not handle. */
size_t conv4_workspace_bytes(const conv4_config *c, int save);

/* Lays a workspace out in `memory` (conv4_workspace_bytes(c, save) bytes, 64-byte aligned). */
void conv4_workspace_init(conv4_workspace *ws, const conv4_config *c, const float *const *mean, const float *const *variance, int save,
                          void *memory);

/* This thread's workspace block of at least `bytes` (kept between calls), NULL without memory;
 * conv4_workspace_done(keep) after the call frees a block above `keep` bytes. */
void *conv4_workspace_memory(size_t bytes);
void conv4_workspace_done(size_t keep);

/* C = A·B, A(m, k) = a[m·rs + k·cs], B [K × N] row-major (ldb): gemm_direct, else gemm_parallel. */
int conv4_matmul(int M, int N, int K, const float *a, ptrdiff_t rs, ptrdiff_t cs, const float *b, ptrdiff_t ldb, float *c, int threads);

/* col[(n,oy,ox), (ky,kx,ci)] = x[n, oy·s − 1 + ky, ox·s − 1 + kx, ci], zero outside; col2im its adjoint (overwrites dx). */
void conv4_im2col(const float *x, int S, const layer_shape *g, int stride, float *col);
void conv4_col2im(const float *dcol, int S, const layer_shape *g, int stride, float *dx);

/* Through block l's 2×2 max-pool routes: gather the window winners of full [M × F] into pooled
 * [S·nh·nw × F]; scatter pooled back into full (zero elsewhere). */
void conv4_pool_gather(const conv4_workspace *ws, int l, const float *full, float *pooled);
void conv4_pool_scatter(const conv4_workspace *ws, int l, const float *pooled, float *full);

/* The body at params, saving for the backward pass; ws->feats; each block's batch moments into
 * `moments` ([4][2][F], batch statistics only) when not NULL. 0, or -1 without memory. */
int conv4_forward(const conv4_workspace *ws, float *const *params, const float *x, float *moments);

/* Softmax rows of the head at ws->feats into p (double); returns the mean cross-entropy, *correct the argmax hits. */
double conv4_softmax(const conv4_workspace *ws, const float *weight, const float *bias, const int *labels, double *p, int *correct);

/* Gradients of the mean cross-entropy at params (after conv4_forward) into ws->grad (all 14);
 * ws->p ends as dlogits = (softmax − onehot)/S. 0, or -1 without memory. */
int conv4_backward(const conv4_workspace *ws, float *const *params, const int *labels);

/* The body's gradients (ws->grad[0..11]) for a given gradient of the features dfeats [S × F]. */
int conv4_backward_from_features(const conv4_workspace *ws, float *const *params, const float *dfeats);

/* out[i] += alpha · rate_i · x[i] over one parameter's n floats, rate_i per c->rates: the fixed c->lr,
 * rate[step] (per step) or rate[i] (per element). An SGD step is alpha −1 on the gradient. */
void conv4_add_rated(const conv4_config *c, const float *rate, int step, float alpha, const float *x, float *out, long n);

/* Proto-MAML's head from ws->feats: w_c = 2μ_c, b_c = −‖μ_c‖² (classes without images: μ_c = 0). */
void conv4_prototype_head(const conv4_workspace *ws, const int *labels, float *weight, float *bias);

#endif
