/*
 * MAML's meta-gradient for Conv4 in one native call per task, exact second order: the inner loop
 * on the support set (K SGD steps, as conv4_adapt), the query loss at θ_1 … θ_K (MAML++'s step
 * weights; only θ_K's by default), then back through the steps: v ← v − H(θ_k)·(rate ⊙ v) with
 * the support loss's Hessian-vector product computed by Pearlmutter's R-operator (a forward pass
 * of tangents, then the tangent of the backward pass: conv, batch norm with batch statistics or
 * frozen moments, ReLU, max-pool routes, mean over space, head, softmax cross-entropy), no
 * second-order graph. First order (FOMAML) skips the products. Learned rates (per step, per
 * element) get their gradients −g_k ⊙ v; a prototype head (Proto-MAML) is differentiated
 * through its support features at θ. The same computation as src/core/meta/meta-gradient.ts on
 * Conv4 classification, up to float rounding.
 */
#ifndef MAML_KERNELS_META_GRADIENT_H
#define MAML_KERNELS_META_GRADIENT_H

#include "inner_loop.h"

typedef struct {
  conv4_config inner; /* the support set's shape, steps, rates, head, threads (images = support images) */
  int queries;        /* query images */
  int first_order;
} conv4_meta_config;

enum { META_METRICS = 7 /* objective, final query loss, accuracy; ms in inner loop, query passes, Hessian products, other */ };

typedef struct {
  const float *theta[CONV4_PARAMS]; /* the head is NULL with a prototype head */
  const float *mean[CONV4_LAYERS], *variance[CONV4_LAYERS];
  const float *rate[CONV4_PARAMS]; /* learned rates of the adapted parameters */
  const int *adapt;                /* [CONV4_PARAMS] */
  const float *step_weights;       /* [steps], or NULL: the last step's query loss alone */
  float scale;                     /* every output below is added to, times scale (1 / tasks) */
  float *grad[CONV4_PARAMS];       /* d objective / dθ (the head's unused with a prototype head) */
  float *rate_grad[CONV4_PARAMS];  /* d objective / d rate, shaped like the rates (learned rates only) */
  float *metrics;                  /* [META_METRICS] */
} conv4_meta_tensors;

/* One task: support xs [S,H,W,C] with labels ys, query xq [Q,H,W,C] with yq. Returns 0, -1
 * without memory, -2 for a configuration it does not handle. */
int conv4_meta_gradient(const conv4_meta_config *c, const float *xs, const int *ys, const float *xq, const int *yq,
                        const conv4_meta_tensors *t);

#endif
