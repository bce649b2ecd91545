#include "epilogue.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>

/* NaN stays NaN in every branch below, as in TensorFlow.js's own kernels. */
static void activate_row(float *c, int cols, const activation_spec *act) {
  switch (act->kind) {
    case ACT_RELU:
      for (int j = 0; j < cols; j++) c[j] = c[j] < 0 ? 0 : c[j];
      break;
    case ACT_RELU6:
      for (int j = 0; j < cols; j++) c[j] = c[j] < 0 ? 0 : (c[j] > 6 ? 6 : c[j]);
      break;
    case ACT_LEAKYRELU:
      for (int j = 0; j < cols; j++) c[j] = c[j] < 0 ? act->alpha * c[j] : c[j];
      break;
    case ACT_PRELU:
      for (int j = 0; j < cols; j++) c[j] = c[j] < 0 ? act->slope[act->slope_len == 1 ? 0 : j] * c[j] : c[j];
      break;
    case ACT_SIGMOID:
      for (int j = 0; j < cols; j++) c[j] = 1.0f / (1.0f + expf(-c[j]));
      break;
    case ACT_ELU:
      for (int j = 0; j < cols; j++) c[j] = c[j] < 0 ? expm1f(c[j]) : c[j];
      break;
    case ACT_LINEAR:
    case ACT_COUNT:
      break;
  }
}

void bias_activation(float *c, long rows, int cols, const float *bias, int bias_len, const activation_spec *act) {
  if (!bias && act->kind == ACT_LINEAR) return;
  for (long i = 0; i < rows; i++, c += cols) {
    if (bias) {
      for (int j = 0; j < cols; j++) c[j] += bias[bias_len == 1 ? 0 : j];
    }
    activate_row(c, cols, act);
  }
}

void max_pool_2x2(const float *x, int n, int h, int w, int c, float *out) {
  const int ho = h / 2, wo = w / 2;
  for (int b = 0; b < n; b++) {
    for (int i = 0; i < ho; i++) {
      const float *r0 = x + ((size_t)(b * h + 2 * i) * w) * c, *r1 = r0 + (size_t)w * c;
      float *o = out + ((size_t)(b * ho + i) * wo) * c;
      for (int j = 0; j < wo; j++, o += c) {
        const float *a = r0 + (size_t)2 * j * c, *bq = a + c, *d = r1 + (size_t)2 * j * c, *e = d + c;
        for (int k = 0; k < c; k++) {
          const float m0 = a[k] > bq[k] ? a[k] : bq[k], m1 = d[k] > e[k] ? d[k] : e[k];
          o[k] = m0 > m1 ? m0 : m1;
        }
      }
    }
  }
}

/* The elementwise passes in the widest vectors the CPU has (the build targets baseline x86-64). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define VECTOR_CLONES
#endif

/* Per-channel scale γ/√(σ² + ε) and shift β − μ·scale from x [rows, c]'s own moments: one pass of
 * double sums of x and x² (float data: E[x²] − μ² in double loses nothing a float keeps), so a
 * large first-layer activation is read once here and once by the normalisation. */
VECTOR_CLONES static int norm_affine(const float *x, long rows, int c, const float *gamma, const float *beta, float epsilon, float *scale, float *shift) {
  double *sum = calloc((size_t)c * 2, sizeof(double));
  if (!sum) return -1;
  double *sq = sum + c;
  for (long r = 0; r < rows; r++) {
    const float *row = x + r * c;
    for (int j = 0; j < c; j++) {
      const double v = row[j];
      sum[j] += v;
      sq[j] += v * v;
    }
  }
  for (int j = 0; j < c; j++) {
    const double mean = sum[j] / (double)rows, variance = sq[j] / (double)rows - mean * mean;
    const double s = gamma[j] / sqrt((variance > 0 ? variance : 0) + epsilon);
    scale[j] = (float)s;
    shift[j] = (float)(beta[j] - mean * s);
  }
  free(sum);
  return 0;
}

VECTOR_CLONES static void affine_relu(const float *x, long rows, int c, const float *scale, const float *shift, float *out) {
  for (long r = 0; r < rows; r++) {
    const float *row = x + r * c;
    float *o = out + r * c;
    for (int j = 0; j < c; j++) {
      const float v = row[j] * scale[j] + shift[j];
      o[j] = v < 0 ? 0 : v;
    }
  }
}

/* out [n, h/2, w/2, c] = relu(max of each 2×2 window of x·scale + shift) (the affine map first: γ may be negative). */
VECTOR_CLONES static void affine_relu_pool(const float *x, int n, int h, int w, int c, const float *scale, const float *shift, float *out) {
  const int ho = h / 2, wo = w / 2;
  for (int b = 0; b < n; b++) {
    for (int i = 0; i < ho; i++) {
      const float *r0 = x + ((size_t)(b * h + 2 * i) * w) * c, *r1 = r0 + (size_t)w * c;
      float *o = out + ((size_t)(b * ho + i) * wo) * c;
      for (int j = 0; j < wo; j++, o += c) {
        const float *a = r0 + (size_t)2 * j * c, *bq = a + c, *d = r1 + (size_t)2 * j * c, *e = d + c;
        for (int k = 0; k < c; k++) {
          const float va = a[k] * scale[k] + shift[k], vb = bq[k] * scale[k] + shift[k];
          const float vd = d[k] * scale[k] + shift[k], ve = e[k] * scale[k] + shift[k];
          const float m0 = va > vb ? va : vb, m1 = vd > ve ? vd : ve, m = m0 > m1 ? m0 : m1;
          o[k] = m < 0 ? 0 : m;
        }
      }
    }
  }
}

int batch_norm_relu_pool(const float *x, int n, int h, int w, int c, const float *gamma, const float *beta, float epsilon, int pool, float *out) {
  const long rows = (long)n * h * w;
  float *scale = malloc(sizeof(float) * (size_t)c * 2);
  if (!scale || norm_affine(x, rows, c, gamma, beta, epsilon, scale, scale + c) != 0) {
    free(scale);
    return -1;
  }
  if (pool) affine_relu_pool(x, n, h, w, c, scale, scale + c, out);
  else affine_relu(x, rows, c, scale, scale + c, out);
  free(scale);
  return 0;
}

int batch_norm_forward(const float *x, long rows, int c, const float *gamma, const float *beta, float epsilon, float *y,
                       float *xhat, float *rstd) {
  double *mean = calloc((size_t)c * 2, sizeof(double));
  if (!mean) return -1;
  double *sq = mean + c;
  for (long r = 0; r < rows; r++)
    for (int j = 0; j < c; j++) mean[j] += x[r * c + j];
  for (int j = 0; j < c; j++) mean[j] /= (double)rows;
  for (long r = 0; r < rows; r++)
    for (int j = 0; j < c; j++) {
      const double d = x[r * c + j] - mean[j];
      sq[j] += d * d;
    }
  for (int j = 0; j < c; j++) rstd[j] = (float)(1.0 / sqrt(sq[j] / (double)rows + epsilon));
  for (long r = 0; r < rows; r++)
    for (int j = 0; j < c; j++) {
      const float h = (float)((x[r * c + j] - mean[j]) * rstd[j]);
      xhat[r * c + j] = h;
      y[r * c + j] = h * gamma[j] + beta[j];
    }
  free(mean);
  return 0;
}

int batch_norm_backward(const float *dy, const float *xhat, long rows, int c, const float *gamma, const float *rstd,
                        float *dx, float *dgamma, float *dbeta) {
  double *sum = calloc((size_t)c * 2, sizeof(double));
  if (!sum) return -1;
  double *dot = sum + c;
  for (long r = 0; r < rows; r++)
    for (int j = 0; j < c; j++) {
      sum[j] += dy[r * c + j];
      dot[j] += (double)dy[r * c + j] * xhat[r * c + j];
    }
  for (int j = 0; j < c; j++) {
    dbeta[j] = (float)sum[j];
    dgamma[j] = (float)dot[j];
    sum[j] /= (double)rows;
    dot[j] /= (double)rows;
  }
  for (long r = 0; r < rows; r++)
    for (int j = 0; j < c; j++) {
      const double g = (double)gamma[j] * rstd[j];
      dx[r * c + j] = (float)(g * (dy[r * c + j] - sum[j] - xhat[r * c + j] * dot[j]));
    }
  free(sum);
  return 0;
}
