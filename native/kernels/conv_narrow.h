/*
 * Convolutions with very few output channels (the input gradient of a 1-channel first layer:
 * 64 → 1): a GEMM tile 32 outputs wide would compute one useful column, so these take dot
 * products along the input channels instead, vectorised over 16 channels at a time.
 */
#ifndef MAML_KERNELS_CONV_NARROW_H
#define MAML_KERNELS_CONV_NARROW_H

#include "conv.h"

enum { NARROW_MAX_OUT_C = 4 };

/* For g->out_c ≤ NARROW_MAX_OUT_C. Returns 0, or -1 when scratch memory cannot be allocated. */
int conv2d_nhwc_narrow(const conv_geometry *g, const float *x, const float *w, float *out);

#endif
