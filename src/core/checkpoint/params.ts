/** Params (tfjs tensors) ↔ named host tensors for the safetensors codec. */
import * as tf from '../tf.ts';
import type { Params } from '../types.ts';
import { UnsupportedDtypeError } from './errors.ts';
import { fromFloat16 } from './float16.ts';
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

/** New tensors for named host tensors (float16 widened to float32); the caller owns (and disposes) them. */
export function toParams(tensors: ReadonlyMap<string, NamedTensor>): Params {
  return Object.fromEntries(
    [...tensors].map(([name, t]) => [
      name,
      t.dtype === 'float16'
        ? tf.tensor(fromFloat16(t.data as Uint16Array), [...t.shape], 'float32')
        : tf.tensor(t.data as Float32Array | Int32Array, [...t.shape], t.dtype),
    ]),
  );
}
