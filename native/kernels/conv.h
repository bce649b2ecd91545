/*
 * NHWC 2-D convolution as one implicit-im2col GEMM: out[(n,oy,ox), o] = Σ_(ky,kx,c)
 * x[n, oy·sh − pt + ky·dh, ox·sw − pl + kx·dw, c] · w[ky, kx, c, o], reading zeros outside x.
 * On the packing GEMM the im2col matrix is never materialised: A slivers are packed straight from
 * the image. With ≤ 96 output channels and a direct tile (gemm_direct.h) it is, ~1 MiB of rows at a
 * time, and each thread takes its own range of rows.
 */
#ifndef MAML_KERNELS_CONV_H
#define MAML_KERNELS_CONV_H

#include "epilogue.h"

typedef struct {
  int batch, in_h, in_w, in_c;
  int filter_h, filter_w, out_c;
  int out_h, out_w;
  int stride_h, stride_w, dilation_h, dilation_w;
  int pad_top, pad_left;
} conv_geometry;

/* x [batch,in_h,in_w,in_c], w [filter_h,filter_w,in_c,out_c], out [batch,out_h,out_w,out_c];
 * on up to `threads` threads (parallel.h). */
int conv2d_nhwc(const conv_geometry *g, const float *x, const float *w, float *out, int threads);

/* The same, then bias and activation (epilogue.h), then the 2×2 stride-2 max-pool (floor) into out
 * [batch, out_h/2, out_w/2, out_c]. Returns 0, or -1 without memory. */
int conv2d_nhwc_pooled(const conv_geometry *g, const float *x, const float *w, const float *bias, int bias_len,
                       const activation_spec *act, float *out, int threads);

#endif
