/**
 * The epilogue of the fused kernels (FusedConv2D, _FusedMatMul): a bias, then any activation
 * TensorFlow.js fuses (linear, relu, relu6, leakyrelu, prelu, sigmoid, elu). Bias and prelu
 * slopes must have 1 element or `channels` along the last axis; other shapes (and non-float32)
 * go to the stock kernel.
 */
import { util, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import { Activation, type ActivationCode } from './addon.ts';
import { heapFloats, type WasmBackendLike } from './wasm-heap.ts';

export interface Epilogue {
  readonly bias: TensorInfo | undefined;
  readonly activation: ActivationCode;
  /** leakyrelu's alpha, or prelu's slopes. */
  readonly param: number | TensorInfo;
}

export const NO_EPILOGUE: Epilogue = { bias: undefined, activation: Activation.linear, param: 0 };

function perChannel(t: TensorInfo, channels: number): boolean {
  if (t.dtype !== 'float32') return false;
  const size = util.sizeFromShape(t.shape);
  return size === 1 || (size === channels && t.shape[t.shape.length - 1] === channels);
}

/** The fused op's epilogue, or undefined when the addon cannot apply it. */
export function fusedEpilogue(inputs: Record<string, TensorInfo | undefined>, attrs: NamedAttrMap, channels: number): Epilogue | undefined {
  const { bias, preluActivationWeights: slopes } = inputs;
  const name = (attrs['activation'] ?? 'linear') as string;
  if (!Object.hasOwn(Activation, name) || (bias && !perChannel(bias, channels))) return undefined;
  const activation = Activation[name as keyof typeof Activation];
  if (activation === Activation.prelu) {
    return slopes && perChannel(slopes, channels) ? { bias, activation, param: slopes } : undefined;
  }
  return { bias, activation, param: Number(attrs['leakyreluAlpha'] ?? 0) };
}

/** The addon's bias and activation-parameter arguments, as heap views (taken after makeOutput). */
export function epilogueArgs(backend: WasmBackendLike, e: Epilogue): [Float32Array | null, number | Float32Array] {
  return [e.bias ? heapFloats(backend, e.bias) : null, typeof e.param === 'number' ? e.param : heapFloats(backend, e.param)];
}
