/* Argument checking for the Node-API entry points: typed arrays long enough, activations valid. */
#ifndef MAML_KERNELS_ADDON_ARGS_H
#define MAML_KERNELS_ADDON_ARGS_H

#define NAPI_VERSION 8
#include <node_api.h>
#include <stddef.h>

#include "epilogue.h"

typedef struct { void *data; size_t length; } array_view;

/* A typed array of type `want` with at least `need` elements; 0 (with a JS exception) otherwise. */
int typed_array(napi_env env, napi_value value, napi_typedarray_type want, size_t need, const char *name, array_view *out);

/* True for null / undefined. */
int is_null(napi_env env, napi_value value);

/* The 7 arguments of matmul / conv2d (the 6th an activation code, the 7th its parameter), then
 * optionally the number of threads (8th, default 1) and, for conv2d, a 2×2 max-pool flag (9th). */
typedef struct { napi_value argv[9]; size_t argc; activation_spec act; int threads; int pool; } call_args;
int read_args(napi_env env, napi_callback_info info, call_args *args);

/* Bias and prelu slopes broadcast along the channels: 1 or `channels` entries, else a RangeError. */
int fits_channels(napi_env env, size_t length, int channels, const char *message);

#endif
