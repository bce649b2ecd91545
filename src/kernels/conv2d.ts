/**
 * Conv2D and FusedConv2D for the wasm backend on the native implicit-im2col GEMM. Any NHWC
 * float32 convolution (every stride, dilation, padding mode and channel count) runs natively;
 * other cases (NCHW, other dtypes, prelu/elu/sigmoid) are handed to the stock kernel.
 */
import { backend_util, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelAddon } from './addon.ts';
import { type Epilogue, epilogueArgs, fusedEpilogue, NO_EPILOGUE } from './fused.ts';
import { kernelThreads } from './threads.ts';
import { heapFloats, isWasmBackendLike } from './wasm-heap.ts';

type KernelArgs = Parameters<KernelFunc>[0];

interface ConvPlan {
  readonly x: TensorInfo;
  readonly filter: TensorInfo;
  readonly info: backend_util.Conv2DInfo;
  readonly epilogue: Epilogue;
}

function planConv(args: KernelArgs, fused: boolean): ConvPlan | undefined {
  const inputs = args.inputs as Record<string, TensorInfo | undefined>;
  const { x, filter } = inputs;
  const a = args.attrs ?? {};
  if (!x || !filter || x.dtype !== 'float32' || filter.dtype !== 'float32') return undefined;
  if (x.shape.length !== 4 || filter.shape.length !== 4 || x.shape[3] !== filter.shape[2]) return undefined;
  if ((a['dataFormat'] ?? 'NHWC') !== 'NHWC') return undefined;
  const epilogue = fused ? fusedEpilogue(inputs, a, filter.shape[3]!) : NO_EPILOGUE;
  if (!epilogue) return undefined;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    a['strides'] as number | [number, number],
    (a['dilations'] ?? 1) as number | [number, number],
    a['pad'] as Parameters<typeof backend_util.computeConv2DInfo>[4],
    a['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined,
  );
  return { x, filter, info, epilogue };
}

function geometry(c: backend_util.Conv2DInfo): Int32Array {
  return Int32Array.of(
    c.batchSize,
    c.inHeight,
    c.inWidth,
    c.inChannels,
    c.filterHeight,
    c.filterWidth,
    c.outChannels,
    c.outHeight,
    c.outWidth,
    c.strideHeight,
    c.strideWidth,
    c.dilationHeight,
    c.dilationWidth,
    c.padInfo.top,
    c.padInfo.left,
  );
}

function makeConvKernel(addon: KernelAddon, stock: KernelFunc, fused: boolean): KernelFunc {
  return (args) => {
    const backend = args.backend;
    if (!isWasmBackendLike(backend)) return stock(args);
    const plan = planConv(args, fused);
    if (!plan) return stock(args);
    const out = backend.makeOutput(plan.info.outShape, 'float32');
    try {
      const [bias, param] = epilogueArgs(backend, plan.epilogue);
      const x = heapFloats(backend, plan.x),
        filter = heapFloats(backend, plan.filter);
      addon.conv2d(x, filter, heapFloats(backend, out), bias, geometry(plan.info), plan.epilogue.activation, param, kernelThreads());
    } catch (error) {
      backend.disposeData(out.dataId);
      throw error;
    }
    return out;
  };
}

export const fastConv2D = (addon: KernelAddon, stock: KernelFunc): KernelFunc => makeConvKernel(addon, stock, false);
export const fastFusedConv2D = (addon: KernelAddon, stock: KernelFunc): KernelFunc => makeConvKernel(addon, stock, true);

/**
 * `MamlFusedConv2DMaxPool` (serving only, no gradient): maxPool2x2(activation(conv(x, filter) +
 * bias)) in one call, the full-size activation never written to the heap. Inputs x, filter, bias
 * (optional); attrs strides, pad (as FusedConv2D), activation ('linear' or 'relu'). Output
 * [N, ⌊outH/2⌋, ⌊outW/2⌋, outC].
 */
export const FUSED_CONV_POOL = 'MamlFusedConv2DMaxPool';

export function fusedConvPoolKernel(addon: KernelAddon): KernelFunc {
  return (args) => {
    const backend = args.backend;
    if (!isWasmBackendLike(backend)) throw new Error(`${FUSED_CONV_POOL} runs on the wasm backend only`);
    const plan = planConv({ ...args, attrs: { ...args.attrs, dataFormat: 'NHWC' } }, true);
    if (!plan || plan.epilogue.activation > 1) throw new Error(`${FUSED_CONV_POOL}: unsupported inputs (NHWC float32, per-channel bias, linear or relu)`);
    const c = plan.info;
    const out = backend.makeOutput([c.batchSize, Math.floor(c.outHeight / 2), Math.floor(c.outWidth / 2), c.outChannels], 'float32');
    try {
      const [bias, param] = epilogueArgs(backend, plan.epilogue);
      const x = heapFloats(backend, plan.x),
        filter = heapFloats(backend, plan.filter);
      addon.conv2d(x, filter, heapFloats(backend, out), bias, geometry(c), plan.epilogue.activation, param, kernelThreads(), 1);
    } catch (error) {
      backend.disposeData(out.dataId);
      throw error;
    }
    return out;
  };
}

/**
 * `MamlBatchNormReluPool` (serving only, no gradient): relu(batchNorm(x)) with x's own moments
 * (training-mode batch norm, as Conv4 with batch statistics), then optionally the 2×2 max-pool.
 * Inputs x [N,H,W,C], gamma, beta [C]; attrs epsilon, pool (boolean).
 */
export const BATCH_NORM_RELU_POOL = 'MamlBatchNormReluPool';

export function batchNormReluPoolKernel(addon: KernelAddon): KernelFunc {
  return (args) => {
    const backend = args.backend;
    const { x, gamma, beta } = args.inputs as Record<string, TensorInfo>;
    if (!isWasmBackendLike(backend)) throw new Error(`${BATCH_NORM_RELU_POOL} runs on the wasm backend only`);
    if (!x || !gamma || !beta || x.shape.length !== 4 || [x, gamma, beta].some((t) => t.dtype !== 'float32')) {
      throw new Error(`${BATCH_NORM_RELU_POOL}: expected float32 x [N,H,W,C], gamma and beta [C]`);
    }
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const pool = args.attrs?.['pool'] === true;
    const out = backend.makeOutput(pool ? [n, Math.floor(h / 2), Math.floor(w / 2), c] : [n, h, w, c], 'float32');
    try {
      const xs = heapFloats(backend, x),
        g = heapFloats(backend, gamma),
        b = heapFloats(backend, beta);
      addon.norm_relu_pool(xs, g, b, heapFloats(backend, out), Int32Array.of(n, h, w, c), Number(args.attrs?.['epsilon'] ?? 1e-5), pool ? 1 : 0);
    } catch (error) {
      backend.disposeData(out.dataId);
      throw error;
    }
    return out;
  };
}

/**
 * `MamlBatchNorm` (forward value only; the core's batchNorm supplies the gradient): inputs x
 * [rows, C], gamma, beta [C]; attr epsilon; outputs y [rows, C], x̂ [rows, C], rstd [C].
 * `MamlBatchNormGrad`: inputs dy, xhat [rows, C], gamma, rstd [C]; outputs dx, dgamma, dbeta.
 */
export const BATCH_NORM = 'MamlBatchNorm';
export const BATCH_NORM_GRAD = 'MamlBatchNormGrad';

function rowsAndChannels(name: string, t: TensorInfo | undefined): [number, number] {
  if (!t || t.dtype !== 'float32' || t.shape.length !== 2) throw new Error(`${name}: expected float32 [rows, channels]`);
  return t.shape as [number, number];
}

export function batchNormKernel(addon: KernelAddon): KernelFunc {
  return (args) => {
    const backend = args.backend;
    const { x, gamma, beta } = args.inputs as Record<string, TensorInfo>;
    if (!isWasmBackendLike(backend)) throw new Error(`${BATCH_NORM} runs on the wasm backend only`);
    const [rows, c] = rowsAndChannels(BATCH_NORM, x);
    const outs = [backend.makeOutput([rows, c], 'float32'), backend.makeOutput([rows, c], 'float32'), backend.makeOutput([c], 'float32')];
    try {
      const [y, xhat, rstd] = outs.map((o) => heapFloats(backend, o));
      addon.batch_norm(
        heapFloats(backend, x!),
        heapFloats(backend, gamma!),
        heapFloats(backend, beta!),
        y!,
        xhat!,
        rstd!,
        Int32Array.of(rows, c),
        Number(args.attrs?.['epsilon'] ?? 1e-5),
      );
    } catch (error) {
      outs.forEach((o) => backend.disposeData(o.dataId));
      throw error;
    }
    return outs;
  };
}

export function batchNormGradKernel(addon: KernelAddon): KernelFunc {
  return (args) => {
    const backend = args.backend;
    const { dy, xhat, gamma, rstd } = args.inputs as Record<string, TensorInfo>;
    if (!isWasmBackendLike(backend)) throw new Error(`${BATCH_NORM_GRAD} runs on the wasm backend only`);
    const [rows, c] = rowsAndChannels(BATCH_NORM_GRAD, xhat);
    rowsAndChannels(BATCH_NORM_GRAD, dy);
    const outs = [backend.makeOutput([rows, c], 'float32'), backend.makeOutput([c], 'float32'), backend.makeOutput([c], 'float32')];
    try {
      const [dx, dgamma, dbeta] = outs.map((o) => heapFloats(backend, o));
      addon.batch_norm_grad(
        heapFloats(backend, dy!),
        heapFloats(backend, xhat!),
        heapFloats(backend, gamma!),
        heapFloats(backend, rstd!),
        dx!,
        dgamma!,
        dbeta!,
        Int32Array.of(rows, c),
      );
    } catch (error) {
      outs.forEach((o) => backend.disposeData(o.dataId));
      throw error;
    }
    return outs;
  };
}
