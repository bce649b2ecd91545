#include "epilogue.h"

#include <math.h>

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
