/**
 * Faster Conv2D / FusedConv2D / BatchMatMul / _FusedMatMul for TensorFlow.js's wasm backend,
 * from the optional native addon (native/kernels: a vendored AVX-512/AVX2/portable GEMM with
 * implicit im2col). The stock wasm kernels reach ~25 GFLOP/s only on XNNPACK's paths
 * (untransposed batch-1 matMul, Conv2D) and ~2.7 GFLOP/s on the transposed / batched matMuls of
 * every backward pass; the native kernels run 60–130 GFLOP/s on one thread.
 *
 * registerFastKernels(tf) swaps the wasm backend's kernels for the fast ones (each keeps the
 * stock kernel for the cases it does not handle). Without the addon it registers nothing and
 * says why; TensorFlow.js then runs as before. unregisterFastKernels(tf) restores the stock ones.
 * Gradients are registered per kernel name and are unaffected. Single-threaded.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { isWasmBackendLike, type WasmBackendLike } from './wasm-heap.ts';
import { type AddonLoad, type KernelAddon, loadKernelAddon } from './addon.ts';
import { fastBatchMatMul, fastFusedMatMul } from './batch-mat-mul.ts';
import { CONV4_ADAPT, conv4AdaptKernel } from './inner-loop.ts';
import { CONV4_META_GRADIENT, conv4MetaGradientKernel } from './meta-gradient.ts';
import { FOLD_BATCH_NORM, foldBatchNormKernel } from './theta-prep.ts';
import {
  BATCH_NORM,
  BATCH_NORM_GRAD,
  BATCH_NORM_RELU_POOL,
  FUSED_CONV_POOL,
  batchNormGradKernel,
  batchNormKernel,
  batchNormReluPoolKernel,
  fastConv2D,
  fastFusedConv2D,
  fusedConvPoolKernel,
} from './conv2d.ts';

export { BATCH_NORM, BATCH_NORM_GRAD, BATCH_NORM_RELU_POOL, FUSED_CONV_POOL } from './conv2d.ts';
export { CONV4_ADAPT } from './inner-loop.ts';
export { CONV4_META_GRADIENT } from './meta-gradient.ts';
export { FOLD_BATCH_NORM, type NativeFloat16, nativeFloat16 } from './theta-prep.ts';
export { InvalidThreadCountError, kernelThreads, setKernelThreads } from './threads.ts';
export { ADDON_VERSION, DEFAULT_ADDON_PATH, loadKernelAddon, type AddonLoad, type KernelAddon } from './addon.ts';

/** The kernel-registry part of the tfjs-core API (pass `tf` itself). */
export interface KernelRegistryApi {
  getKernel(kernelName: string, backendName: string): KernelConfig | undefined;
  registerKernel(config: KernelConfig): void;
  unregisterKernel(kernelName: string, backendName: string): void;
}

export interface FastKernelRegistration {
  /** Kernel names now served by the native kernels on the 'wasm' backend. */
  readonly registered: string[];
  /** Why the list is what it is (addon missing, kernels already registered, isa in use …). */
  readonly reason: string;
}

export interface FastKernelOptions {
  /** Where the addon is (default native/build/maml_kernels.node), or a loader (tests). */
  readonly addonPath?: string;
  readonly load?: () => AddonLoad;
}

const BACKEND = 'wasm';

/**
 * Identity without a copy: the output shares x's data (tfjs data is never written in place; the
 * wasm backend counts references, as its Reshape does). The stock kernel copies the whole tensor,
 * and tfjs clones every tensor a gradient saves: ~370 copies per task of a meta-step.
 */
function sharedIdentity(_addon: KernelAddon, stock: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as Record<string, TensorInfo | undefined>;
    const backend = args.backend as WasmBackendLike;
    if (!x || x.dtype === 'string' || !isWasmBackendLike(backend) || typeof backend.incRef !== 'function') return stock(args);
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
}

const FAST_KERNELS: Record<string, (addon: KernelAddon, stock: KernelFunc) => KernelFunc> = {
  Conv2D: fastConv2D,
  FusedConv2D: fastFusedConv2D,
  BatchMatMul: fastBatchMatMul,
  _FusedMatMul: fastFusedMatMul,
  Identity: sharedIdentity,
};
/** The stock configs replaced, by kernel name, to restore them. */
const replaced = new Map<string, KernelConfig>();

export function registerFastKernels(tf: KernelRegistryApi, options: FastKernelOptions = {}): FastKernelRegistration {
  const loaded = options.load ? options.load() : loadKernelAddon(options.addonPath);
  if (!loaded.ok) return { registered: [], reason: loaded.reason };
  const info = loaded.addon.info();
  const registered: string[] = [];
  const missing: string[] = [];
  for (const [kernelName, makeFast] of Object.entries(FAST_KERNELS)) {
    if (replaced.has(kernelName)) {
      registered.push(kernelName);
      continue;
    }
    const stock = tf.getKernel(kernelName, BACKEND);
    if (!stock) {
      missing.push(kernelName);
      continue;
    }
    tf.unregisterKernel(kernelName, BACKEND);
    tf.registerKernel({ ...stock, kernelFunc: makeFast(loaded.addon, stock.kernelFunc) });
    replaced.set(kernelName, stock);
    registered.push(kernelName);
  }
  // Kernels of our own (no stock ones to replace): fused conv + pool, batch norm for the core's ops, Conv4's inner loop and
  // meta-gradient, batch norm folded into a filter (/predict).
  const own: [string, (addon: KernelAddon) => KernelFunc][] = [
    [FUSED_CONV_POOL, fusedConvPoolKernel],
    [BATCH_NORM_RELU_POOL, batchNormReluPoolKernel],
    [BATCH_NORM, batchNormKernel],
    [BATCH_NORM_GRAD, batchNormGradKernel],
    [CONV4_ADAPT, conv4AdaptKernel],
    [CONV4_META_GRADIENT, conv4MetaGradientKernel],
    [FOLD_BATCH_NORM, foldBatchNormKernel],
  ];
  for (const [kernelName, make] of own) {
    if (!tf.getKernel(kernelName, BACKEND)) tf.registerKernel({ kernelName, backendName: BACKEND, kernelFunc: make(loaded.addon) });
  }
  const skipped = missing.length > 0 ? `; no stock '${BACKEND}' kernel for ${missing.join(', ')} (import @tensorflow/tfjs-backend-wasm first)` : '';
  return { registered, reason: `native kernels (isa ${info.isa}, ${info.mr}×${info.nr} tiles, 1 thread)${skipped}` };
}

/** Puts the stock kernels back; returns the names restored. */
export function unregisterFastKernels(tf: KernelRegistryApi): string[] {
  const restored: string[] = [];
  for (const [kernelName, stock] of replaced) {
    tf.unregisterKernel(kernelName, BACKEND);
    tf.registerKernel(stock);
    restored.push(kernelName);
  }
  replaced.clear();
  for (const name of [FUSED_CONV_POOL, BATCH_NORM_RELU_POOL, BATCH_NORM, BATCH_NORM_GRAD, CONV4_ADAPT, CONV4_META_GRADIENT, FOLD_BATCH_NORM])
    if (tf.getKernel(name, BACKEND)) tf.unregisterKernel(name, BACKEND);
  return restored;
}
