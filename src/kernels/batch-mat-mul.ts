/**
 * BatchMatMul and _FusedMatMul for the wasm backend on the native GEMM: any rank, both
 * transposes (read through strides, never copied), batch dimensions equal or broadcast from 1.
 * Other broadcasts ([2,1]×[1,3] batches), dtypes and activations go to the stock kernel.
 */
import { broadcast_util, util, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelAddon } from './addon.ts';
import { kernelThreads } from './threads.ts';
import { type Epilogue, epilogueArgs, fusedEpilogue, NO_EPILOGUE } from './fused.ts';
import { heapFloats, isWasmBackendLike } from './wasm-heap.ts';

type KernelArgs = Parameters<KernelFunc>[0];

interface MatMulPlan {
  readonly a: TensorInfo;
  readonly b: TensorInfo;
  /** [batch, M, N, K, transposeA, transposeB, batchA, batchB] as the addon takes them. */
  readonly dims: Int32Array;
  readonly outShape: number[];
  readonly epilogue: Epilogue;
}

function broadcastShape(a: number[], b: number[]): number[] | undefined {
  try {
    return broadcast_util.assertAndGetBroadcastShape(a, b);
  } catch {
    return undefined; // the stock kernel reports the mismatch
  }
}

function planMatMul(args: KernelArgs, fused: boolean): MatMulPlan | undefined {
  const inputs = args.inputs as Record<string, TensorInfo | undefined>;
  const { a, b } = inputs;
  const attrs = args.attrs ?? {};
  if (!a || !b || a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) {
    return undefined;
  }
  const transposeA = Boolean(attrs['transposeA']),
    transposeB = Boolean(attrs['transposeB']);
  const ra = a.shape.length,
    rb = b.shape.length;
  const M = a.shape[transposeA ? ra - 1 : ra - 2]!,
    K = a.shape[transposeA ? ra - 2 : ra - 1]!;
  const N = b.shape[transposeB ? rb - 2 : rb - 1]!,
    innerB = b.shape[transposeB ? rb - 1 : rb - 2]!;
  const outer = broadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  if (K !== innerB || !outer) return undefined;
  const batch = util.sizeFromShape(outer);
  const batchA = util.sizeFromShape(a.shape.slice(0, -2)),
    batchB = util.sizeFromShape(b.shape.slice(0, -2));
  if ((batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1)) return undefined;
  const epilogue = fused ? fusedEpilogue(inputs, attrs, N) : NO_EPILOGUE;
  if (!epilogue) return undefined;
  return {
    a,
    b,
    epilogue,
    dims: Int32Array.of(batch, M, N, K, Number(transposeA), Number(transposeB), batchA, batchB),
    outShape: [...outer, M, N],
  };
}

function makeMatMulKernel(addon: KernelAddon, stock: KernelFunc, fused: boolean): KernelFunc {
  return (args) => {
    const backend = args.backend;
    if (!isWasmBackendLike(backend)) return stock(args);
    const plan = planMatMul(args, fused);
    if (!plan) return stock(args);
    const out = backend.makeOutput(plan.outShape, 'float32');
    try {
      const [bias, param] = epilogueArgs(backend, plan.epilogue);
      const a = heapFloats(backend, plan.a),
        b = heapFloats(backend, plan.b);
      addon.matmul(a, b, heapFloats(backend, out), bias, plan.dims, plan.epilogue.activation, param, kernelThreads());
    } catch (error) {
      backend.disposeData(out.dataId);
      throw error;
    }
    return out;
  };
}

export const fastBatchMatMul = (addon: KernelAddon, stock: KernelFunc): KernelFunc => makeMatMulKernel(addon, stock, false);
export const fastFusedMatMul = (addon: KernelAddon, stock: KernelFunc): KernelFunc => makeMatMulKernel(addon, stock, true);
