/*
 * Node-API entry points. Every array argument is a typed array (for the wasm backend: views on
 * the wasm heap, so nothing is copied); lengths are checked against the shapes before any
 * pointer is used. All scratch memory is freed before a call returns, except conv4_adapt's
 * per-thread workspace (freed by an environment cleanup hook when the thread's Node env ends).
 *
 *   matmul(a, b, out, bias | null, dims: Int32Array[batch, M, N, K, transA, transB, batchA, batchB], act, param[, threads])
 *   conv2d(x, w, out, bias | null, geometry: Int32Array[15] (conv_geometry order), act, param[, threads[, pool]])
 *   threads (default 1): run the GEMM on up to that many threads (parallel.h); pool 1: out is
 *   the 2×2 stride-2 max-pool (floor: a trailing odd row / column dropped) of the activation,
 *   [batch, out_h/2, out_w/2, out_c], and the full-size activation is never written to the heap.
 *   act: enum activation (epilogue.h); param: leakyrelu's alpha (a number), or prelu's slopes
 *   (a Float32Array with 1 or N / outChannels entries).
 *   norm_relu_pool(x, gamma, beta, out, shape: Int32Array[n, h, w, c], epsilon, pool 0|1)
 *   batch_norm(x, gamma, beta, y, xhat, rstd, dims: Int32Array[rows, c], epsilon)
 *   batch_norm_grad(dy, xhat, gamma, rstd, dx, dgamma, dbeta, dims: Int32Array[rows, c])
 *   conv4_adapt(x, labels: Int32Array, theta[14], out[14], frozen[8] | null, rates[14] | null, adapt: Int32Array[14],
 *               config: Int32Array[13] (conv4_config order, up to threads), lr, epsilon, moments | null, metrics[6])
 *               (inner_loop.h; metrics: loss, accuracy, then ms in forward, backward, update, metrics)
 *   conv4_meta_gradient(xs, ys: Int32Array, xq, yq: Int32Array, theta[14], frozen[8] | null, rates[14] | null,
 *               adapt: Int32Array[14], stepWeights | null, config: Int32Array[15] (conv4_config order with images = the
 *               support's, then queries, firstOrder), lr, epsilon, scale, grads[14], rateGrads[14] | null, metrics[7])
 *               (meta_gradient.h: one task; grads, rateGrads and metrics are added to, times scale)
 *   float16_add(base, bits: Uint16Array, out): out = base + bits' halves (theta_prep.h), over bits' length
 *   float16_sub(value, base, out: Uint16Array): out = half(value − base), over out's length
 *   fold_batch_norm(w, gamma, beta, mean, variance, w_out, b_out, epsilon): w [rows, c] with c = gamma's
 *               length (theta_prep.h)
 *   info() → { version, isa, mr, nr }
 */
#include <stdint.h>
#include <stdlib.h>

#include "addon_args.h"
#include "conv.h"
#include "epilogue.h"
#include "gemm.h"
#include "inner_loop.h"
#include "meta_gradient.h"
#include "parallel.h"
#include "theta_prep.h"

#define ADDON_VERSION 7
#define CHECK(env, call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, #call " failed"); return NULL; } } while (0)

static napi_value matmul(napi_env env, napi_callback_info info) {
  call_args args;
  array_view dims, a, b, out, bias = {NULL, 0};
  if (!read_args(env, info, &args) || !typed_array(env, args.argv[4], napi_int32_array, 8, "dims", &dims)) return NULL;
  const int32_t *d = dims.data;
  const int batch = d[0], M = d[1], N = d[2], K = d[3], trans_a = d[4], trans_b = d[5], batch_a = d[6], batch_b = d[7];
  if (batch < 0 || M < 0 || N < 0 || K < 0 || (batch_a != 1 && batch_a != batch) || (batch_b != 1 && batch_b != batch)) {
    napi_throw_range_error(env, NULL, "matmul: negative size or batch not broadcastable");
    return NULL;
  }
  const size_t a_size = (size_t)M * K, b_size = (size_t)K * N, c_size = (size_t)M * N;
  if (!typed_array(env, args.argv[0], napi_float32_array, a_size * batch_a, "a", &a) ||
      !typed_array(env, args.argv[1], napi_float32_array, b_size * batch_b, "b", &b) ||
      !typed_array(env, args.argv[2], napi_float32_array, c_size * batch, "out", &out) ||
      (!is_null(env, args.argv[3]) && !typed_array(env, args.argv[3], napi_float32_array, 1, "bias", &bias))) {
    return NULL;
  }
  if ((bias.data && !fits_channels(env, bias.length, N, "bias must have 1 or N elements")) ||
      (args.act.slope && !fits_channels(env, (size_t)args.act.slope_len, N, "prelu slopes must have 1 or N elements"))) {
    return NULL;
  }
  for (int i = 0; i < batch; i++) {
    const float *ai = (const float *)a.data + (batch_a == 1 ? 0 : i * a_size);
    const float *bi = (const float *)b.data + (batch_b == 1 ? 0 : i * b_size);
    const strided_matrix am = {ai, trans_a ? 1 : K, trans_a ? M : 1};
    const strided_matrix bm = {bi, trans_b ? 1 : N, trans_b ? K : 1};
    if (gemm_parallel(M, N, K, pack_a_strided, &am, &bm, (float *)out.data + i * c_size, N, args.threads) != 0) {
      napi_throw_error(env, "ENOMEM", "matmul: out of memory");
      return NULL;
    }
  }
  bias_activation(out.data, (long)batch * M, N, bias.data, (int)bias.length, &args.act);
  return NULL;
}

static napi_value conv2d(napi_env env, napi_callback_info info) {
  call_args args;
  array_view geometry, x, w, out, bias = {NULL, 0};
  if (!read_args(env, info, &args) ||
      !typed_array(env, args.argv[4], napi_int32_array, 15, "geometry", &geometry)) return NULL;
  const int32_t *q = geometry.data;
  const conv_geometry g = {q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7], q[8], q[9], q[10], q[11], q[12], q[13], q[14]};
  for (int i = 0; i < 15; i++) {
    if (q[i] < (i < 13 ? 0 : INT32_MIN) || (i >= 9 && i < 13 && q[i] < 1)) {
      napi_throw_range_error(env, NULL, "conv2d: negative size or stride/dilation < 1");
      return NULL;
    }
  }
  /* Input coordinates are computed in int: the farthest tap must stay well inside its range. */
  const int64_t reach_h = (int64_t)g.out_h * g.stride_h + (int64_t)g.filter_h * g.dilation_h + llabs((int64_t)g.pad_top);
  const int64_t reach_w = (int64_t)g.out_w * g.stride_w + (int64_t)g.filter_w * g.dilation_w + llabs((int64_t)g.pad_left);
  if (reach_h > INT32_MAX / 2 || reach_w > INT32_MAX / 2) {
    napi_throw_range_error(env, NULL, "conv2d: geometry out of range");
    return NULL;
  }
  const size_t x_size = (size_t)g.batch * g.in_h * g.in_w * g.in_c;
  const size_t w_size = (size_t)g.filter_h * g.filter_w * g.in_c * g.out_c;
  const size_t full_size = (size_t)g.batch * g.out_h * g.out_w * g.out_c;
  const int pool_h = g.out_h / 2, pool_w = g.out_w / 2;
  const size_t out_size = args.pool ? (size_t)g.batch * pool_h * pool_w * g.out_c : full_size;
  if (!typed_array(env, args.argv[0], napi_float32_array, x_size, "x", &x) ||
      !typed_array(env, args.argv[1], napi_float32_array, w_size, "w", &w) ||
      !typed_array(env, args.argv[2], napi_float32_array, out_size, "out", &out) ||
      (!is_null(env, args.argv[3]) && !typed_array(env, args.argv[3], napi_float32_array, 1, "bias", &bias))) {
    return NULL;
  }
  if ((bias.data && !fits_channels(env, bias.length, g.out_c, "bias must have 1 or outChannels elements")) ||
      (args.act.slope && !fits_channels(env, (size_t)args.act.slope_len, g.out_c, "prelu slopes must have 1 or outChannels elements"))) {
    return NULL;
  }
  if (!args.pool) {
    if (conv2d_nhwc(&g, x.data, w.data, out.data, args.threads) != 0) {
      napi_throw_error(env, "ENOMEM", "conv2d: out of memory");
      return NULL;
    }
    bias_activation(out.data, (long)g.batch * g.out_h * g.out_w, g.out_c, bias.data, (int)bias.length, &args.act);
    return NULL;
  }
  if (conv2d_nhwc_pooled(&g, x.data, w.data, bias.data, (int)bias.length, &args.act, out.data, args.threads) != 0) {
    napi_throw_error(env, "ENOMEM", "conv2d: out of memory");
  }
  return NULL;
}

/* norm_relu_pool(x, gamma, beta, out, shape: Int32Array[n, h, w, c], epsilon, pool): relu(batchNorm(x))
 * with x's own moments over n·h·w, then (pool 1) the 2×2 stride-2 max-pool (floor) into out. */
static napi_value norm_relu_pool(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  array_view shape, x, gamma, beta, out;
  double epsilon = 0;
  int32_t pool = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 7 ||
      napi_get_value_double(env, argv[5], &epsilon) != napi_ok || napi_get_value_int32(env, argv[6], &pool) != napi_ok ||
      pool < 0 || pool > 1 || !(epsilon >= 0)) {
    napi_throw_type_error(env, NULL, "norm_relu_pool: expected (x, gamma, beta, out, shape, epsilon, pool 0|1)");
    return NULL;
  }
  if (!typed_array(env, argv[4], napi_int32_array, 4, "shape", &shape)) return NULL;
  const int32_t *d = shape.data;
  if (d[0] < 0 || d[1] < 0 || d[2] < 0 || d[3] < 1) {
    napi_throw_range_error(env, NULL, "norm_relu_pool: negative size");
    return NULL;
  }
  const long rows = (long)d[0] * d[1] * d[2];
  const size_t size = (size_t)rows * d[3];
  const size_t out_size = pool ? (size_t)d[0] * (d[1] / 2) * (d[2] / 2) * d[3] : size;
  if (!typed_array(env, argv[0], napi_float32_array, size, "x", &x) ||
      !typed_array(env, argv[1], napi_float32_array, (size_t)d[3], "gamma", &gamma) ||
      !typed_array(env, argv[2], napi_float32_array, (size_t)d[3], "beta", &beta) ||
      !typed_array(env, argv[3], napi_float32_array, out_size, "out", &out)) return NULL;
  if (rows == 0) return NULL;
  if (batch_norm_relu_pool(x.data, d[0], d[1], d[2], d[3], gamma.data, beta.data, (float)epsilon, pool, out.data) != 0) {
    napi_throw_error(env, "ENOMEM", "norm_relu_pool: out of memory");
  }
  return NULL;
}

/* Reads `count` float32 arrays of at least need[i] elements from argv (0 with a JS exception otherwise). */
static int float_arrays(napi_env env, napi_value *argv, const size_t *need, const char *const *names, int count, float **out) {
  for (int i = 0; i < count; i++) {
    array_view view;
    if (!typed_array(env, argv[i], napi_float32_array, need[i], names[i], &view)) return 0;
    out[i] = view.data;
  }
  return 1;
}

/* batch_norm(x, gamma, beta, y, xhat, rstd, dims: Int32Array[rows, c], epsilon) */
static napi_value batch_norm(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  array_view dims;
  double epsilon = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 8 ||
      napi_get_value_double(env, argv[7], &epsilon) != napi_ok || !(epsilon >= 0)) {
    napi_throw_type_error(env, NULL, "batch_norm: expected (x, gamma, beta, y, xhat, rstd, dims, epsilon)");
    return NULL;
  }
  if (!typed_array(env, argv[6], napi_int32_array, 2, "dims", &dims)) return NULL;
  const int32_t *d = dims.data;
  if (d[0] < 1 || d[1] < 1) {
    napi_throw_range_error(env, NULL, "batch_norm: rows and channels must be positive");
    return NULL;
  }
  const size_t size = (size_t)d[0] * d[1], c = (size_t)d[1];
  const size_t need[6] = {size, c, c, size, size, c};
  const char *const names[6] = {"x", "gamma", "beta", "y", "xhat", "rstd"};
  float *p[6];
  if (!float_arrays(env, argv, need, names, 6, p)) return NULL;
  if (batch_norm_forward(p[0], d[0], d[1], p[1], p[2], (float)epsilon, p[3], p[4], p[5]) != 0) napi_throw_error(env, "ENOMEM", "batch_norm: out of memory");
  return NULL;
}

/* batch_norm_grad(dy, xhat, gamma, rstd, dx, dgamma, dbeta, dims: Int32Array[rows, c]) */
static napi_value batch_norm_grad(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  array_view dims;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 8) {
    napi_throw_type_error(env, NULL, "batch_norm_grad: expected (dy, xhat, gamma, rstd, dx, dgamma, dbeta, dims)");
    return NULL;
  }
  if (!typed_array(env, argv[7], napi_int32_array, 2, "dims", &dims)) return NULL;
  const int32_t *d = dims.data;
  if (d[0] < 1 || d[1] < 1) {
    napi_throw_range_error(env, NULL, "batch_norm_grad: rows and channels must be positive");
    return NULL;
  }
  const size_t size = (size_t)d[0] * d[1], c = (size_t)d[1];
  const size_t need[7] = {size, size, c, c, size, c, c};
  const char *const names[7] = {"dy", "xhat", "gamma", "rstd", "dx", "dgamma", "dbeta"};
  float *p[7];
  if (!float_arrays(env, argv, need, names, 7, p)) return NULL;
  if (batch_norm_backward(p[0], p[1], d[0], d[1], p[2], p[3], p[4], p[5], p[6]) != 0) napi_throw_error(env, "ENOMEM", "batch_norm_grad: out of memory");
  return NULL;
}

/* Element i of a JS array as a float32 array of at least `need` elements (null allowed when nullable). */
static int array_element(napi_env env, napi_value array, uint32_t i, size_t need, const char *name, int nullable, float **out) {
  napi_value value;
  array_view view;
  if (napi_get_element(env, array, i, &value) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected an array of Float32Arrays");
    return 0;
  }
  if (nullable && is_null(env, value)) {
    *out = NULL;
    return 1;
  }
  if (!typed_array(env, value, napi_float32_array, need, name, &view)) return 0;
  *out = view.data;
  return 1;
}

/* The first 13 entries of an Int32Array config as a conv4_config (0 with a RangeError when out of range). */
static int read_conv4_config(napi_env env, const int32_t *q, double lr, double epsilon, const char *name, conv4_config *c) {
  for (int i = 0; i < 13; i++) {
    if (q[i] < 0 || (i < 7 && q[i] < 1) || (i >= 7 && i <= 9 && q[i] > 1) || (i == 11 && q[i] > 2) || (i == 12 && q[i] < 1)) {
      napi_throw_range_error(env, NULL, name);
      return 0;
    }
  }
  if ((int64_t)q[0] * q[1] * q[2] * (q[3] > q[4] ? q[3] : q[4]) * 9 > INT32_MAX / 2) {
    napi_throw_range_error(env, NULL, name);
    return 0;
  }
  *c = (conv4_config){q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7], q[8], q[9], q[10], (rate_mode)q[11], q[12], (float)lr, (float)epsilon};
  return 1;
}

/* The frozen moments argument (8 arrays of F floats) into mean / variance. */
static int read_frozen(napi_env env, napi_value array, int filters, const float **mean, const float **variance) {
  for (int l = 0; l < CONV4_LAYERS; l++) {
    float *m, *v;
    if (!array_element(env, array, (uint32_t)(2 * l), (size_t)filters, "mean", 0, &m) ||
        !array_element(env, array, (uint32_t)(2 * l + 1), (size_t)filters, "variance", 0, &v)) return 0;
    mean[l] = m, variance[l] = v;
  }
  return 1;
}

static napi_value conv4_adapt_entry(napi_env env, napi_callback_info info) {
  size_t argc = 12;
  napi_value argv[12];
  array_view x, labels, adapt, config, metrics, moments = {NULL, 0};
  double lr = 0, epsilon = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 12 ||
      napi_get_value_double(env, argv[8], &lr) != napi_ok || napi_get_value_double(env, argv[9], &epsilon) != napi_ok ||
      !(epsilon >= 0)) {
    napi_throw_type_error(env, NULL, "conv4_adapt: expected (x, labels, theta, out, frozen, rates, adapt, config, lr, epsilon, moments, metrics)");
    return NULL;
  }
  if (!typed_array(env, argv[7], napi_int32_array, 13, "config", &config)) return NULL;
  conv4_config c;
  if (!read_conv4_config(env, config.data, lr, epsilon, "conv4_adapt: config out of range", &c)) return NULL;
  conv4_tensors t = {0};
  if (!typed_array(env, argv[0], napi_float32_array, (size_t)c.images * c.height * c.width * c.channels, "x", &x) ||
      !typed_array(env, argv[1], napi_int32_array, (size_t)c.images, "labels", &labels) ||
      !typed_array(env, argv[6], napi_int32_array, CONV4_PARAMS, "adapt", &adapt) ||
      !typed_array(env, argv[11], napi_float32_array, 6, "metrics", &metrics) ||
      (!is_null(env, argv[10]) && !typed_array(env, argv[10], napi_float32_array, (size_t)CONV4_LAYERS * 2 * c.filters, "moments", &moments))) {
    return NULL;
  }
  for (int i = 0; i < CONV4_PARAMS; i++) {
    const size_t size = (size_t)conv4_param_size(&c, i);
    const int head = i >= 12 && c.prototype;
    float *in = NULL, *out = NULL, *rate = NULL;
    if (!array_element(env, argv[2], (uint32_t)i, size, "theta", head, &in) || !array_element(env, argv[3], (uint32_t)i, size, "out", 0, &out)) return NULL;
    if (!head && !in) {
      napi_throw_type_error(env, NULL, "conv4_adapt: theta missing a parameter");
      return NULL;
    }
    if (c.rates != RATE_SCALAR && ((const int32_t *)adapt.data)[i] &&
        !array_element(env, argv[5], (uint32_t)i, c.rates == RATE_PER_STEP ? (size_t)c.steps : size, "rate", 0, &rate)) {
      return NULL;
    }
    t.theta[i] = in, t.out[i] = out, t.rate[i] = rate;
  }
  if (c.frozen && !read_frozen(env, argv[4], c.filters, t.mean, t.variance)) return NULL;
  t.adapt = adapt.data;
  t.moments = moments.data;
  t.metrics = metrics.data;
  const int status = conv4_adapt(&c, x.data, labels.data, &t);
  if (status == -1) napi_throw_error(env, "ENOMEM", "conv4_adapt: out of memory");
  else if (status != 0) napi_throw_range_error(env, NULL, "conv4_adapt: unsupported configuration (sizes, or a label outside the classes)");
  return NULL;
}

static napi_value conv4_meta_gradient_entry(napi_env env, napi_callback_info info) {
  size_t argc = 16;
  napi_value argv[16];
  array_view xs, ys, xq, yq, adapt, weights = {NULL, 0}, config, metrics;
  double lr = 0, epsilon = 0, scale = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 16 ||
      napi_get_value_double(env, argv[10], &lr) != napi_ok || napi_get_value_double(env, argv[11], &epsilon) != napi_ok ||
      napi_get_value_double(env, argv[12], &scale) != napi_ok || !(epsilon >= 0)) {
    napi_throw_type_error(env, NULL,
                          "conv4_meta_gradient: expected (xs, ys, xq, yq, theta, frozen, rates, adapt, stepWeights, config, lr, epsilon, scale, grads, rateGrads, metrics)");
    return NULL;
  }
  if (!typed_array(env, argv[9], napi_int32_array, 15, "config", &config)) return NULL;
  const int32_t *q = config.data;
  conv4_meta_config mc = {.queries = q[13], .first_order = q[14]};
  if (!read_conv4_config(env, q, lr, epsilon, "conv4_meta_gradient: config out of range", &mc.inner)) return NULL;
  const conv4_config *c = &mc.inner;
  if (q[13] < 1 || q[14] < 0 || q[14] > 1 || (int64_t)q[13] * q[1] * q[2] * (q[3] > q[4] ? q[3] : q[4]) * 9 > INT32_MAX / 2) {
    napi_throw_range_error(env, NULL, "conv4_meta_gradient: config out of range");
    return NULL;
  }
  const size_t image = (size_t)c->height * c->width * c->channels;
  if (!typed_array(env, argv[0], napi_float32_array, (size_t)c->images * image, "xs", &xs) ||
      !typed_array(env, argv[1], napi_int32_array, (size_t)c->images, "ys", &ys) ||
      !typed_array(env, argv[2], napi_float32_array, (size_t)mc.queries * image, "xq", &xq) ||
      !typed_array(env, argv[3], napi_int32_array, (size_t)mc.queries, "yq", &yq) ||
      !typed_array(env, argv[7], napi_int32_array, CONV4_PARAMS, "adapt", &adapt) ||
      (!is_null(env, argv[8]) && !typed_array(env, argv[8], napi_float32_array, (size_t)c->steps, "stepWeights", &weights)) ||
      !typed_array(env, argv[15], napi_float32_array, META_METRICS, "metrics", &metrics)) {
    return NULL;
  }
  conv4_meta_tensors t = {.adapt = adapt.data, .step_weights = weights.data, .scale = (float)scale, .metrics = metrics.data};
  for (int i = 0; i < CONV4_PARAMS; i++) {
    const size_t size = (size_t)conv4_param_size(c, i);
    const int head = i >= 12 && c->prototype;
    float *in = NULL, *grad = NULL, *rate = NULL, *rate_grad = NULL;
    if (!array_element(env, argv[4], (uint32_t)i, size, "theta", head, &in) || !array_element(env, argv[13], (uint32_t)i, size, "grads", head, &grad))
      return NULL;
    if (!head && (!in || !grad)) {
      napi_throw_type_error(env, NULL, "conv4_meta_gradient: theta or grads missing a parameter");
      return NULL;
    }
    if (c->rates != RATE_SCALAR && ((const int32_t *)adapt.data)[i]) {
      const size_t need = c->rates == RATE_PER_STEP ? (size_t)c->steps : size;
      if (!array_element(env, argv[6], (uint32_t)i, need, "rate", 0, &rate) || !array_element(env, argv[14], (uint32_t)i, need, "rateGrads", 0, &rate_grad))
        return NULL;
    }
    t.theta[i] = in, t.grad[i] = grad, t.rate[i] = rate, t.rate_grad[i] = rate_grad;
  }
  if (c->frozen && !read_frozen(env, argv[5], c->filters, t.mean, t.variance)) return NULL;
  const int status = conv4_meta_gradient(&mc, xs.data, ys.data, xq.data, yq.data, &t);
  if (status == -1) napi_throw_error(env, "ENOMEM", "conv4_meta_gradient: out of memory");
  else if (status != 0) napi_throw_range_error(env, NULL, "conv4_meta_gradient: unsupported configuration (sizes, or a label outside the classes)");
  return NULL;
}

/* float16_add(base, bits: Uint16Array, out) */
static napi_value float16_add_entry(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  array_view base, bits, out;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 3) {
    napi_throw_type_error(env, NULL, "float16_add: expected (base, bits, out)");
    return NULL;
  }
  if (!typed_array(env, argv[1], napi_uint16_array, 0, "bits", &bits) ||
      !typed_array(env, argv[0], napi_float32_array, bits.length, "base", &base) ||
      !typed_array(env, argv[2], napi_float32_array, bits.length, "out", &out)) {
    return NULL;
  }
  float16_add(base.data, bits.data, out.data, bits.length);
  return NULL;
}

/* float16_sub(value, base, out: Uint16Array) */
static napi_value float16_sub_entry(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  array_view value, base, out;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 3) {
    napi_throw_type_error(env, NULL, "float16_sub: expected (value, base, out)");
    return NULL;
  }
  if (!typed_array(env, argv[2], napi_uint16_array, 0, "out", &out) ||
      !typed_array(env, argv[0], napi_float32_array, out.length, "value", &value) ||
      !typed_array(env, argv[1], napi_float32_array, out.length, "base", &base)) {
    return NULL;
  }
  float16_sub(value.data, base.data, out.data, out.length);
  return NULL;
}

/* fold_batch_norm(w, gamma, beta, mean, variance, w_out, b_out, epsilon) */
static napi_value fold_batch_norm_entry(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  array_view gamma;
  double epsilon = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 8 ||
      napi_get_value_double(env, argv[7], &epsilon) != napi_ok || !(epsilon >= 0)) {
    napi_throw_type_error(env, NULL, "fold_batch_norm: expected (w, gamma, beta, mean, variance, w_out, b_out, epsilon)");
    return NULL;
  }
  if (!typed_array(env, argv[1], napi_float32_array, 1, "gamma", &gamma)) return NULL;
  array_view w;
  if (!typed_array(env, argv[0], napi_float32_array, gamma.length, "w", &w)) return NULL;
  const size_t c = gamma.length, rows = w.length / c;
  if (rows * c != w.length) {
    napi_throw_range_error(env, NULL, "fold_batch_norm: w's length is not a multiple of the channels");
    return NULL;
  }
  const size_t need[5] = {c, c, c, rows * c, c};
  const char *const names[5] = {"beta", "mean", "variance", "w_out", "b_out"};
  float *p[5];
  if (!float_arrays(env, argv + 2, need, names, 5, p)) return NULL;
  fold_batch_norm(w.data, rows, c, gamma.data, p[0], p[1], p[2], (float)epsilon, p[3], p[4]);
  return NULL;
}

static napi_value describe(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result, version, isa, mr, nr;
  CHECK(env, napi_create_object(env, &result));
  CHECK(env, napi_create_int32(env, ADDON_VERSION, &version));
  CHECK(env, napi_create_string_utf8(env, gemm_isa(), NAPI_AUTO_LENGTH, &isa));
  CHECK(env, napi_create_int32(env, gemm_mr(), &mr));
  CHECK(env, napi_create_int32(env, gemm_nr(), &nr));
  CHECK(env, napi_set_named_property(env, result, "version", version));
  CHECK(env, napi_set_named_property(env, result, "isa", isa));
  CHECK(env, napi_set_named_property(env, result, "mr", mr));
  CHECK(env, napi_set_named_property(env, result, "nr", nr));
  return result;
}

static void release_thread_workspace(void *arg) {
  (void)arg;
  conv4_release_workspace();
}

static napi_value init(napi_env env, napi_value exports) {
  /* conv4_adapt keeps a per-thread workspace: freed when this environment (a worker thread) ends */
  CHECK(env, napi_add_env_cleanup_hook(env, release_thread_workspace, NULL));
  const napi_property_descriptor methods[] = {
      {"matmul", NULL, matmul, NULL, NULL, NULL, napi_enumerable, NULL},
      {"conv2d", NULL, conv2d, NULL, NULL, NULL, napi_enumerable, NULL},
      {"norm_relu_pool", NULL, norm_relu_pool, NULL, NULL, NULL, napi_enumerable, NULL},
      {"batch_norm", NULL, batch_norm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"batch_norm_grad", NULL, batch_norm_grad, NULL, NULL, NULL, napi_enumerable, NULL},
      {"conv4_adapt", NULL, conv4_adapt_entry, NULL, NULL, NULL, napi_enumerable, NULL},
      {"conv4_meta_gradient", NULL, conv4_meta_gradient_entry, NULL, NULL, NULL, napi_enumerable, NULL},
      {"float16_add", NULL, float16_add_entry, NULL, NULL, NULL, napi_enumerable, NULL},
      {"float16_sub", NULL, float16_sub_entry, NULL, NULL, NULL, napi_enumerable, NULL},
      {"fold_batch_norm", NULL, fold_batch_norm_entry, NULL, NULL, NULL, napi_enumerable, NULL},
      {"info", NULL, describe, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(env, napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods));
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
