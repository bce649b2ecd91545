/*
 * MAML's first-order inner loop for Conv4 in one native call: K SGD steps on the support set's
 * mean softmax cross-entropy, every step a forward pass that saves what its backward needs
 * (im2col matrices, x̂, 1/σ, activations, max-pool routes), the backward pass and the update;
 * then the support loss, accuracy and batch moments at θ′. The same computation as the core's
 * differentiable reference (src/core/adapt.ts with src/core/nets/conv4.ts), up to float rounding.
 *
 * Conv4: 4 × [3×3 conv, pad 1, stride 1 or 2 (no bias: batch norm cancels it) → batch norm
 * (the batch's own moments, biased variance; or frozen moments) → ReLU (→ 2×2 max-pool, floor)],
 * the mean over space, then a linear head [filters × classes] (+ bias). NHWC, conv weights HWIO.
 * Convolutions and their gradients are GEMMs (gemm_direct with AVX-512, gemm_parallel otherwise):
 * forward col·W, filter gradient colᵀ·dZ, input gradient dZ·Wᵀ then col2im (no zero insertion).
 * The workspace (~10-40 MB for 5-20 images) is kept per thread between calls. The passes
 * themselves live in conv4_body.c, shared with the meta-gradient (meta_gradient.c).
 */
#ifndef MAML_KERNELS_INNER_LOOP_H
#define MAML_KERNELS_INNER_LOOP_H

enum { CONV4_LAYERS = 4, CONV4_PARAMS = 14 /* w, γ, β per block; head weight, head bias */ };

typedef enum { RATE_SCALAR = 0, RATE_PER_STEP = 1, RATE_PER_ELEMENT = 2 } rate_mode;

typedef struct {
  int images, height, width, channels; /* the support set x [images, height, width, channels] */
  int filters, classes;                /* classes: the head's columns */
  int stride;                          /* 1 or 2 */
  int pool;                            /* 1: 2×2 max-pool after each ReLU */
  int frozen;                          /* 1: normalise with the given moments, not the batch's */
  int prototype;                       /* 1: the head is set from the support features at θ (Proto-MAML) */
  int steps;
  rate_mode rates;
  int threads;                         /* per GEMM (gemm_parallel) */
  float lr;                            /* RATE_SCALAR */
  float epsilon;
} conv4_config;

typedef struct {
  /* θ in parameter order (block i: 3i weight [3,3,cin,F], 3i+1 γ, 3i+2 β; 12 head weight, 13 head
   * bias; the head is ignored with prototype). */
  const float *theta[CONV4_PARAMS];
  const float *mean[CONV4_LAYERS], *variance[CONV4_LAYERS]; /* frozen moments */
  const float *rate[CONV4_PARAMS];  /* RATE_PER_STEP: [≥ steps]; RATE_PER_ELEMENT: shaped like θ */
  const int *adapt;                 /* [CONV4_PARAMS]: 0 leaves the parameter as it is */
  float *out[CONV4_PARAMS];         /* θ′ */
  float *moments;                   /* NULL, or [4][2][F]: each block's batch mean, variance at θ′ */
  float *metrics;                   /* [6]: support loss and accuracy at θ′; ms in forward, backward, update, metrics */
} conv4_tensors;

/* Returns 0, -1 without memory, -2 for a configuration it does not handle. */
int conv4_adapt(const conv4_config *c, const float *x, const int *labels, const conv4_tensors *t);

/* Frees this thread's workspace (kept between calls); the addon calls it when a Node environment ends. */
void conv4_release_workspace(void);

/* Number of floats of parameter `index` (for the argument checks). */
long conv4_param_size(const conv4_config *c, int index);

#endif
