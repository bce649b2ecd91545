#include "addon_args.h"

#include <stdio.h>

int typed_array(napi_env env, napi_value value, napi_typedarray_type want, size_t need, const char *name,
                array_view *out) {
  bool is_typed = false;
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  char message[160];
  const char *kind = want == napi_int32_array ? "Int32Array" : want == napi_uint16_array ? "Uint16Array" : "Float32Array";
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, value, &type, &out->length, &out->data, &buffer, &offset) != napi_ok ||
      type != want) {
    snprintf(message, sizeof message, "%s: expected a %s", name, kind);
    napi_throw_type_error(env, NULL, message);
    return 0;
  }
  if (out->length < need) {
    snprintf(message, sizeof message, "%s: %zu elements, the shapes need %zu", name, out->length, need);
    napi_throw_range_error(env, NULL, message);
    return 0;
  }
  return 1;
}

int is_null(napi_env env, napi_value value) {
  napi_valuetype type;
  return napi_typeof(env, value, &type) == napi_ok && (type == napi_null || type == napi_undefined);
}

int read_args(napi_env env, napi_callback_info info, call_args *args) {
  size_t argc = 9;
  int32_t kind = -1;
  double alpha = 0;
  if (napi_get_cb_info(env, info, &argc, args->argv, NULL, NULL) != napi_ok || argc < 7 || argc > 9 ||
      napi_get_value_int32(env, args->argv[5], &kind) != napi_ok || kind < 0 || kind >= ACT_COUNT) {
    napi_throw_type_error(env, NULL, "expected 7 to 9 arguments, the 6th an activation code");
    return 0;
  }
  args->argc = argc;
  args->threads = 1;
  args->pool = 0;
  int32_t value = 0;
  if (argc > 7 && !is_null(env, args->argv[7])) {
    if (napi_get_value_int32(env, args->argv[7], &value) != napi_ok || value < 1) {
      napi_throw_type_error(env, NULL, "threads: expected a positive integer");
      return 0;
    }
    args->threads = value;
  }
  if (argc > 8 && !is_null(env, args->argv[8])) {
    if (napi_get_value_int32(env, args->argv[8], &value) != napi_ok || value < 0 || value > 1) {
      napi_throw_type_error(env, NULL, "pool: expected 0 or 1");
      return 0;
    }
    args->pool = value;
  }
  args->act = (activation_spec){(activation)kind, 0, NULL, 0};
  if (kind == ACT_PRELU) {
    array_view slope;
    if (!typed_array(env, args->argv[6], napi_float32_array, 1, "prelu slopes", &slope)) return 0;
    args->act.slope = slope.data;
    args->act.slope_len = (int)slope.length;
  } else if (napi_get_value_double(env, args->argv[6], &alpha) != napi_ok) {
    napi_throw_type_error(env, NULL, "activation parameter: expected a number");
    return 0;
  }
  args->act.alpha = (float)alpha;
  return 1;
}

int fits_channels(napi_env env, size_t length, int channels, const char *message) {
  if (length == 1 || length == (size_t)channels) return 1;
  napi_throw_range_error(env, NULL, message);
  return 0;
}
