/**
 * Zero-copy access to tensors of the wasm backend: Float32Array views on the wasm heap that the
 * native addon reads and writes in place. Views must be taken after every allocation of the
 * call (makeOutput may grow the heap, which detaches older views) and not kept past the call.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';

/** The part of tfjs-backend-wasm's BackendWasm the fast kernels use. */
export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  /** Another tensor shares the data (disposeData frees it when the last one goes). */
  incRef?(dataId: object): void;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: object, force?: boolean): boolean;
}

export function isWasmBackendLike(backend: unknown): backend is WasmBackendLike {
  const b = backend as Partial<WasmBackendLike> | null;
  return typeof b?.makeOutput === 'function' && typeof b.typedArrayFromHeap === 'function' && typeof b.disposeData === 'function';
}

export function heapFloats(backend: WasmBackendLike, info: TensorInfo): Float32Array {
  const view = backend.typedArrayFromHeap(info);
  if (!(view instanceof Float32Array)) throw new TypeError(`expected a float32 tensor, got ${info.dtype}`);
  return view;
}
