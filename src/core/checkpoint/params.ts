/** Params (tfjs tensors) ↔ named host tensors for the safetensors codec. */
import * as tf from '../tf.ts';
import type { Params } from '../types.ts';
import { UnsupportedDtypeError } from './errors.ts';
import type { NamedTensor } from './safetensors.ts';

/** Copies every parameter to host memory (float32 / int32 only). */
export async function readParams(params: Params): Promise<Map<string, NamedTensor>> {
  const out = new Map<string, NamedTensor>();
  for (const name of Object.keys(params).sort()) {
    const tensor = params[name]!;
    if (tensor.dtype !== 'float32' && tensor.dtype !== 'int32') throw new UnsupportedDtypeError(name, tensor.dtype);
    const data = (await tensor.data()) as Float32Array | Int32Array;
    out.set(name, { dtype: tensor.dtype, shape: [...tensor.shape], data });
  }
  return out;
}

/** New tensors for named host tensors; the caller owns (and disposes) them. */
export function toParams(tensors: ReadonlyMap<string, NamedTensor>): Params {
  return Object.fromEntries([...tensors].map(([name, t]) => [name, tf.tensor(t.data, [...t.shape], t.dtype)]));
}
