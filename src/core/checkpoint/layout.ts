/**
 * Weight layout conversion between tfjs and PyTorch (pure, host memory):
 * conv kernels tfjs [kh, kw, in, out] ↔ PyTorch [out, in, kh, kw]; dense kernels tfjs [in, out] ↔
 * PyTorch nn.Linear [out, in]. Biases and batch-norm vectors are the same in both.
 */
import { InvalidTensorEntryError } from './errors.ts';
import type { NamedTensor } from './safetensors.ts';

/** out.shape[i] = t.shape[perm[i]] (numpy's transpose(perm)). */
export function permute(t: NamedTensor, perm: readonly number[]): NamedTensor {
  const rank = t.shape.length;
  if (perm.length !== rank || [...perm].sort().some((p, i) => p !== i)) throw new InvalidTensorEntryError('permute', 'permutation', perm);
  const shape = perm.map((p) => t.shape[p]!);
  const inStrides = new Array<number>(rank);
  for (let i = rank - 1, s = 1; i >= 0; s *= t.shape[i]!, i--) inStrides[i] = s;
  const strides = perm.map((p) => inStrides[p]!); // input stride of each output axis
  const data = new (t.data.constructor as new (length: number) => typeof t.data)(t.data.length);
  const index = new Array<number>(rank).fill(0);
  for (let o = 0, from = 0; o < data.length; o++) {
    data[o] = t.data[from]!;
    for (let axis = rank - 1; axis >= 0; axis--) {
      from += strides[axis]!;
      if (++index[axis]! < shape[axis]!) break;
      from -= strides[axis]! * shape[axis]!;
      index[axis] = 0;
    }
  }
  return { dtype: t.dtype, shape, data };
}

function rankOf(t: NamedTensor, rank: number, what: string): NamedTensor {
  if (t.shape.length !== rank) throw new InvalidTensorEntryError(what, 'shape', t.shape);
  return t;
}

/** PyTorch conv weight [out, in, kh, kw] → tfjs [kh, kw, in, out]. */
export const torchConvToTfjs = (t: NamedTensor) => permute(rankOf(t, 4, 'conv weight'), [2, 3, 1, 0]);
/** tfjs conv kernel [kh, kw, in, out] → PyTorch [out, in, kh, kw]. */
export const tfjsConvToTorch = (t: NamedTensor) => permute(rankOf(t, 4, 'conv kernel'), [3, 2, 0, 1]);
/** nn.Linear weight [out, in] ↔ tfjs dense kernel [in, out] (its own inverse). */
export const transposeDense = (t: NamedTensor) => permute(rankOf(t, 2, 'dense weight'), [1, 0]);
