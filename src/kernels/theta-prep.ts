/**
 * The native side of preparing a session's θ′ for /predict (native/kernels/theta_prep.c):
 *  - `MamlFoldBatchNorm`, a kernel of our own on the wasm backend: inputs filter [kh, kw, in, c],
 *    gamma, beta, mean, variance [c]; attr epsilon; outputs the folded filter and its bias [c]
 *    (src/core/serving.ts: foldFrozenBatchNorm uses it when registered, else 6 tfjs ops a block).
 *  - nativeFloat16: a session's float16 δ = half(θ′ − θ) and θ′ = θ + δ with F16C (the session
 *    codec's JavaScript otherwise; both give the same bits).
 * Measured on the omniglot-5way model's θ′ (~115k halves, 4 blocks): encode 2.3–3.3 ms → ~0.05,
 * decode 0.3–0.65 ms → ~0.02, fold 0.24 ms → ~0.03.
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { type KernelAddon, loadKernelAddon } from './addon.ts';
import { heapFloats, isWasmBackendLike } from './wasm-heap.ts';

export const FOLD_BATCH_NORM = 'MamlFoldBatchNorm';

export function foldBatchNormKernel(addon: KernelAddon): KernelFunc {
  return (args) => {
    const backend = args.backend;
    const { filter, gamma, beta, mean, variance } = args.inputs as Record<string, TensorInfo | undefined>;
    if (!isWasmBackendLike(backend)) throw new Error(`${FOLD_BATCH_NORM} runs on the wasm backend only`);
    const c = filter?.shape[filter.shape.length - 1];
    if (!filter || c === undefined || [filter, gamma, beta, mean, variance].some((t) => t?.dtype !== 'float32')) {
      throw new Error(`${FOLD_BATCH_NORM}: expected float32 filter [..., C], gamma, beta, mean and variance [C]`);
    }
    if ([gamma, beta, mean, variance].some((t) => t!.shape.length !== 1 || t!.shape[0] !== c)) {
      throw new Error(`${FOLD_BATCH_NORM}: gamma, beta, mean and variance must be [${c}]`);
    }
    const outs = [backend.makeOutput([...filter.shape], 'float32'), backend.makeOutput([c], 'float32')];
    try {
      const [w, b] = outs.map((o) => heapFloats(backend, o));
      const p = [filter, gamma!, beta!, mean!, variance!].map((t) => heapFloats(backend, t));
      addon.fold_batch_norm(p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, w!, b!, Number(args.attrs?.['epsilon'] ?? 1e-5));
    } catch (error) {
      outs.forEach((o) => backend.disposeData(o.dataId));
      throw error;
    }
    return outs;
  };
}

/** A session's θ′ ↔ its float16 difference from θ (the session codec's Float16Kernels). */
export interface NativeFloat16 {
  /** base + the halves of `bits`. */
  add(base: Float32Array, bits: Uint16Array): Float32Array;
  /** half(value − base), round to nearest even. */
  subtract(value: Float32Array, base: Float32Array): Uint16Array;
}

let float16: NativeFloat16 | null | undefined;

/** The float16 encoding and decoding of θ′ in native code, or undefined without the addon. */
export function nativeFloat16(): NativeFloat16 | undefined {
  if (float16 === undefined) {
    const loaded = loadKernelAddon();
    float16 = loaded.ok
      ? {
          add: (base, bits) => {
            const out = new Float32Array(bits.length);
            loaded.addon.float16_add(base, bits, out);
            return out;
          },
          subtract: (value, base) => {
            const out = new Uint16Array(value.length);
            loaded.addon.float16_sub(value, base, out);
            return out;
          },
        }
      : null;
  }
  return float16 ?? undefined;
}
