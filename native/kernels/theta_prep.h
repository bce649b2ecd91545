/*
 * The host side of preparing a session's θ′ for /predict (src/api/inference/thread.ts):
 *  - float16_add: θ′ = θ + δ from the float16 δ a session stores (src/api/sessions/codec.ts);
 *    float16_sub: that δ, half(θ′ − θ), when /adapt stores a session.
 *  - fold_batch_norm: a batch norm with given moments folded into the convolution before it,
 *    w′ = w·s, b′ = β − μ·s, s = γ/√(σ² + ε) (src/core/serving.ts: foldFrozenBatchNorm).
 * Invariants: float16_add's result is base + half as one float32 addition, bit for bit what the
 * JavaScript table lookup gives (every half is exactly a float32); float16_sub rounds the float32
 * difference to the nearest half, ties to even (overflow to ±Inf, NaN quiet), bit for bit the
 * codec's toFloat16Bits (MXCSR's default rounding; Node never sets flush-to-zero); fold_batch_norm rounds as the
 * tfjs ops it replaces (rsqrt, then ·γ, then w·s and β − μ·s, each in float32).
 */
#ifndef MAML_THETA_PREP_H
#define MAML_THETA_PREP_H

#include <stddef.h>
#include <stdint.h>

void float16_add(const float *base, const uint16_t *bits, float *out, size_t n);
void float16_sub(const float *value, const float *base, uint16_t *out, size_t n);

/* w [rows, c] row-major (a conv filter [kh, kw, in, c]); w_out [rows, c], b_out [c]. */
void fold_batch_norm(const float *w, size_t rows, size_t c, const float *gamma, const float *beta, const float *mean,
                     const float *variance, float epsilon, float *w_out, float *b_out);

#endif
