/*
 * θ′ encoding and decoding, and batch norm folding for /predict (theta_prep.h). Measured on this
 * project's AVX2 machine, the ~115k halves of an all-layer omniglot-5way session: decoding with
 * the JavaScript table lookup 0.3–0.65 ms, F16C (8 halves an instruction) ~0.02 ms; encoding in
 * JavaScript (toFloat16Bits per element) 2.3–3.3 ms of each /adapt; the fold of its 4 blocks as 24
 * tfjs ops ~0.24 ms, here 4 passes over the filters.
 */
#include "theta_prep.h"

#include <math.h>
#include <string.h>

static inline float half_to_float(uint16_t h) {
  const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
  const uint32_t em = h & 0x7fffu;
  uint32_t bits;
  if (em >= 0x7c00u) {
    bits = sign | 0x7f800000u | ((em & 0x3ffu) << 13); /* Inf / NaN */
  } else if (em >= 0x400u) {
    bits = sign | ((em << 13) + (112u << 23)); /* normal: rebias the exponent 15 → 127 */
  } else {
    const float f = (float)em * 5.9604644775390625e-8f; /* subnormal or zero: m · 2^-24, exact */
    memcpy(&bits, &f, sizeof bits);
    bits |= sign;
  }
  float out;
  memcpy(&out, &bits, sizeof out);
  return out;
}

/* Round to nearest even, as the codec's toFloat16Bits. */
static inline uint16_t float_to_half(float value) {
  uint32_t x;
  memcpy(&x, &value, sizeof x);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const uint32_t exponent = (x >> 23) & 0xffu;
  uint32_t mantissa = x & 0x7fffffu;
  if (exponent == 0xffu) return (uint16_t)(sign | 0x7c00u | (mantissa ? 0x200u | (mantissa >> 13) : 0u));
  const int e = (int)exponent - 127 + 15;
  if (e >= 0x1f) return (uint16_t)(sign | 0x7c00u);
  if (e <= 0) {
    if (e < -10) return (uint16_t)sign;
    mantissa |= 0x800000u;
    const int shift = 14 - e;
    const uint32_t half = mantissa >> shift, rest = mantissa & ((1u << shift) - 1u), midpoint = 1u << (shift - 1);
    return (uint16_t)(sign | (half + (rest > midpoint || (rest == midpoint && (half & 1u)) ? 1u : 0u)));
  }
  const uint32_t half = ((uint32_t)e << 10) | (mantissa >> 13), rest = mantissa & 0x1fffu;
  return (uint16_t)(sign | (half + (rest > 0x1000u || (rest == 0x1000u && (half & 1u)) ? 1u : 0u)));
}

static void float16_sub_scalar(const float *value, const float *base, uint16_t *out, size_t from, size_t n) {
  for (size_t i = from; i < n; i++) out[i] = float_to_half(value[i] - base[i]);
}

static void float16_add_scalar(const float *base, const uint16_t *bits, float *out, size_t from, size_t n) {
  for (size_t i = from; i < n; i++) out[i] = base[i] + half_to_float(bits[i]);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

__attribute__((target("avx,f16c"))) static size_t float16_add_f16c(const float *base, const uint16_t *bits, float *out, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 h = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(bits + i)));
    _mm256_storeu_ps(out + i, _mm256_add_ps(_mm256_loadu_ps(base + i), h));
  }
  return i;
}

__attribute__((target("avx,f16c"))) static size_t float16_sub_f16c(const float *value, const float *base, uint16_t *out, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 d = _mm256_sub_ps(_mm256_loadu_ps(value + i), _mm256_loadu_ps(base + i));
    _mm_storeu_si128((__m128i *)(out + i), _mm256_cvtps_ph(d, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  }
  return i;
}

static int has_f16c(void) {
  static int known = -1;
  if (known < 0) {
    __builtin_cpu_init();
    known = __builtin_cpu_supports("avx") && __builtin_cpu_supports("f16c");
  }
  return known;
}
#endif

void float16_add(const float *base, const uint16_t *bits, float *out, size_t n) {
  size_t done = 0;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  if (has_f16c()) done = float16_add_f16c(base, bits, out, n);
#endif
  float16_add_scalar(base, bits, out, done, n);
}

void float16_sub(const float *value, const float *base, uint16_t *out, size_t n) {
  size_t done = 0;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  if (has_f16c()) done = float16_sub_f16c(value, base, out, n);
#endif
  float16_sub_scalar(value, base, out, done, n);
}

void fold_batch_norm(const float *w, size_t rows, size_t c, const float *gamma, const float *beta, const float *mean,
                     const float *variance, float epsilon, float *w_out, float *b_out) {
  enum { CHUNK = 256 };
  float scale[CHUNK];
  for (size_t j0 = 0; j0 < c; j0 += CHUNK) {
    const size_t width = c - j0 < CHUNK ? c - j0 : CHUNK;
    for (size_t j = 0; j < width; j++) {
      const float rstd = 1.0f / sqrtf(variance[j0 + j] + epsilon);
      scale[j] = rstd * gamma[j0 + j];
      const float shift = mean[j0 + j] * scale[j];
      b_out[j0 + j] = beta[j0 + j] - shift;
    }
    for (size_t r = 0; r < rows; r++) {
      const float *in = w + r * c + j0;
      float *o = w_out + r * c + j0;
      for (size_t j = 0; j < width; j++) o[j] = in[j] * scale[j];
    }
  }
}
