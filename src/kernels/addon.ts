/**
 * The optional native addon (native/kernels, built by scripts/build-kernels.mjs). Loading never
 * throws: a missing, stale or unloadable binary comes back as a reason, and the caller keeps
 * TensorFlow.js's stock kernels.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { packageFile } from '../package-root.ts';

/** Bumped with every change to the addon's calling convention (ADDON_VERSION in addon.c). */
export const ADDON_VERSION = 7;

export const DEFAULT_ADDON_PATH = fileURLToPath(packageFile('native/build/maml_kernels.node'));

/** Codes of the activations the addon fuses (enum activation in native/kernels/epilogue.h). */
export const Activation = { linear: 0, relu: 1, relu6: 2, leakyrelu: 3, prelu: 4, sigmoid: 5, elu: 6 } as const;
export type ActivationCode = (typeof Activation)[keyof typeof Activation];

export interface AddonInfo {
  readonly version: number;
  /** Microkernel in use: 'avx512', 'avx2' or 'generic'. */
  readonly isa: string;
  readonly mr: number;
  readonly nr: number;
}

export interface KernelAddon {
  /**
   * out[b] = op(a[b])·op(b[b]) (+ bias, activation); dims = [batch, M, N, K, transA, transB, batchA, batchB].
   * `param` is leakyrelu's alpha, or prelu's slopes (1 or N entries); bias has 1 or N entries.
   */
  matmul(
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    bias: Float32Array | null,
    dims: Int32Array,
    activation: ActivationCode,
    param: number | Float32Array,
    threads?: number,
  ): void;
  /**
   * NHWC convolution; geometry = [batch, inH, inW, inC, filterH, filterW, outC, outH, outW,
   * strideH, strideW, dilationH, dilationW, padTop, padLeft]. `threads` (default 1): the GEMM
   * on up to that many threads; `pool` 1: out is the 2×2 stride-2 max-pool (floor) of the
   * activation, [batch, outH/2, outW/2, outC].
   */
  conv2d(
    x: Float32Array,
    w: Float32Array,
    out: Float32Array,
    bias: Float32Array | null,
    geometry: Int32Array,
    activation: ActivationCode,
    param: number | Float32Array,
    threads?: number,
    pool?: 0 | 1,
  ): void;
  /**
   * relu(batchNorm(x)) with x's own moments over n·h·w (biased variance), then (pool 1) the 2×2
   * stride-2 max-pool (floor); shape = [n, h, w, c].
   */
  norm_relu_pool(x: Float32Array, gamma: Float32Array, beta: Float32Array, out: Float32Array, shape: Int32Array, epsilon: number, pool: 0 | 1): void;
  /** Training-mode batch norm of x [rows, c] (dims = [rows, c]): y, x̂ and 1/√(σ² + ε). */
  batch_norm(
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    y: Float32Array,
    xhat: Float32Array,
    rstd: Float32Array,
    dims: Int32Array,
    epsilon: number,
  ): void;
  /** Its gradient from the saved x̂ and rstd: dx, dγ, dβ. */
  batch_norm_grad(
    dy: Float32Array,
    xhat: Float32Array,
    gamma: Float32Array,
    rstd: Float32Array,
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array,
    dims: Int32Array,
  ): void;
  /**
   * MAML's first-order inner loop for Conv4 in one call (native/kernels/inner_loop.h): K SGD steps
   * on all parameters, θ′ into `out` (14 parameters: w, γ, β per block, head weight, head bias),
   * support loss, accuracy and ms per phase into `metrics` [6], batch moments at θ′ into `moments`
   * [4·2·filters]. config = [images, height, width, channels, filters, classes, stride, pool,
   * frozen, prototype, steps, rateMode (0 scalar, 1 per step, 2 per element), threads].
   */
  conv4_adapt(
    x: Float32Array,
    labels: Int32Array,
    theta: (Float32Array | null)[],
    out: Float32Array[],
    frozen: Float32Array[] | null,
    rates: (Float32Array | null)[] | null,
    adapt: Int32Array,
    config: Int32Array,
    lr: number,
    epsilon: number,
    moments: Float32Array | null,
    metrics: Float32Array,
  ): void;
  /**
   * One task's meta-gradient for Conv4 (native/kernels/meta_gradient.h), added times `scale` into
   * grads (14; the head's null with a prototype head), rateGrads (learned rates) and metrics [7]
   * (objective, final query loss, accuracy; ms in the inner loop, query passes, Hessian products,
   * the rest). config = conv4_adapt's 13 entries (images = the support's), then queries, firstOrder.
   */
  conv4_meta_gradient(
    xs: Float32Array,
    ys: Int32Array,
    xq: Float32Array,
    yq: Int32Array,
    theta: (Float32Array | null)[],
    frozen: Float32Array[] | null,
    rates: (Float32Array | null)[] | null,
    adapt: Int32Array,
    stepWeights: Float32Array | null,
    config: Int32Array,
    lr: number,
    epsilon: number,
    scale: number,
    grads: (Float32Array | null)[],
    rateGrads: (Float32Array | null)[] | null,
    metrics: Float32Array,
  ): void;
  /** out = base + the halves of `bits` (float16 bit patterns), over bits' length (theta_prep.h). */
  float16_add(base: Float32Array, bits: Uint16Array, out: Float32Array): void;
  /** out = half(value − base) (round to nearest even), over out's length (theta_prep.h). */
  float16_sub(value: Float32Array, base: Float32Array, out: Uint16Array): void;
  /**
   * Batch norm with the given moments folded into the convolution before it: w [rows, c] (a
   * filter [kh, kw, in, c]), c = gamma's length; w′ = w·s into wOut, β − μ·s into bOut, s = γ/√(σ² + ε).
   */
  fold_batch_norm(
    w: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    wOut: Float32Array,
    bOut: Float32Array,
    epsilon: number,
  ): void;
  info(): AddonInfo;
}

export type AddonLoad = { readonly ok: true; readonly addon: KernelAddon } | { readonly ok: false; readonly reason: string };

export function loadKernelAddon(path: string = DEFAULT_ADDON_PATH): AddonLoad {
  if (!existsSync(path)) {
    return { ok: false, reason: `native kernels not built (${path} missing; run: node scripts/build-kernels.mjs)` };
  }
  let addon: KernelAddon;
  try {
    addon = createRequire(import.meta.url)(path) as KernelAddon;
  } catch (error) {
    return { ok: false, reason: `native kernels cannot load (${path}): ${error instanceof Error ? error.message : String(error)}` };
  }
  const info = typeof addon.info === 'function' ? addon.info() : undefined;
  if (info?.version !== ADDON_VERSION) {
    return { ok: false, reason: `native kernels are stale (version ${info?.version}, need ${ADDON_VERSION}); rebuild: node scripts/build-kernels.mjs` };
  }
  return { ok: true, addon };
}
