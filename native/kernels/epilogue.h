/* What fused kernels do after the product: add a bias broadcast along rows, then an activation. */
#ifndef MAML_KERNELS_EPILOGUE_H
#define MAML_KERNELS_EPILOGUE_H

typedef enum {
  ACT_LINEAR = 0,
  ACT_RELU = 1,
  ACT_RELU6 = 2,
  ACT_LEAKYRELU = 3, /* x < 0 ? alpha·x : x */
  ACT_PRELU = 4,     /* x < 0 ? slope[j]·x : x, slope with 1 or cols entries */
  ACT_SIGMOID = 5,
  ACT_ELU = 6,
  ACT_COUNT = 7
} activation;

typedef struct {
  activation kind;
  float alpha;
  const float *slope; /* ACT_PRELU only */
  int slope_len;
} activation_spec;

/* c [rows × cols]; bias has cols entries, or 1 (a scalar), or is NULL. */
void bias_activation(float *c, long rows, int cols, const float *bias, int bias_len, const activation_spec *act);

/* out [n, h/2, w/2, c] = the max of each 2×2 window of x [n, h, w, c] (stride 2, floor). */
void max_pool_2x2(const float *x, int n, int h, int w, int c, float *out);

/* out = relu(batchNorm(x)) with x [n, h, w, c]'s own moments (over n·h·w; biased variance, as
 * training-mode batch norm), scale gamma and shift beta [c]; with pool, then the 2×2 stride-2
 * max-pool (floor) into out [n, h/2, w/2, c], the full-size result never written. out may be x
 * without pool. Returns 0, or -1 without memory. */
int batch_norm_relu_pool(const float *x, int n, int h, int w, int c, const float *gamma, const float *beta, float epsilon, int pool, float *out);

/* Training-mode batch norm over x [rows, c]: y = x̂·γ + β, x̂ = (x − μ)·rstd, rstd = 1/√(σ² + ε)
 * (biased variance). Returns 0, or -1 without memory. */
int batch_norm_forward(const float *x, long rows, int c, const float *gamma, const float *beta, float epsilon, float *y,
                       float *xhat, float *rstd);

/* Its gradient from the saved x̂ and rstd: dβ = Σ dy, dγ = Σ dy·x̂, dx = γ·rstd·(dy − dβ/M − x̂·dγ/M). */
int batch_norm_backward(const float *dy, const float *xhat, long rows, int c, const float *gamma, const float *rstd,
                        float *dx, float *dgamma, float *dbeta);

#endif
