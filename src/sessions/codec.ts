/**
 * θ′ of a session, stored compactly: only the parameters adaptation changed, as their difference
 * from the model's θ (small numbers, so float16 keeps them to ~3 significant digits without
 * changing predictions; a test checks that), in a safetensors file whose metadata names the codec
 * version and the model's artifact digest, so θ′ is never applied to other weights.
 */
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from '../core/checkpoint/safetensors.ts';
import { fromFloat16, toFloat16 } from '../core/checkpoint/float16.ts';

export const THETA_CODEC = 'maml-service/session-theta@1';

export type ThetaPrecision = 'float16' | 'float32';

export interface HostTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export class ThetaCodecError extends Error {
  constructor(readonly reason: string) {
    super(`session weights cannot be decoded: ${reason}`);
  }
}

/** Encodes θ′ − θ for the adapted names. */
export function encodeTheta(
  base: ReadonlyMap<string, HostTensor>,
  adapted: ReadonlyMap<string, HostTensor>,
  modelSha256: string,
  precision: ThetaPrecision,
): Uint8Array {
  const tensors = new Map<string, NamedTensor>();
  for (const [name, tensor] of adapted) {
    const theta = base.get(name);
    if (!theta || theta.data.length !== tensor.data.length) throw new ThetaCodecError(`parameter ${name} does not match the model`);
    const delta = new Float32Array(tensor.data.length);
    for (let i = 0; i < delta.length; i++) delta[i] = tensor.data[i]! - theta.data[i]!;
    tensors.set(name, precision === 'float16' ? { dtype: 'float16', shape: tensor.shape, data: toFloat16(delta) } : { dtype: 'float32', shape: tensor.shape, data: delta });
  }
  return encodeSafetensors(tensors, { codec: THETA_CODEC, model: modelSha256, precision });
}

/** θ′ for the adapted names (θ + stored difference), checked against the model's digest. */
export function decodeTheta(bytes: Uint8Array, base: ReadonlyMap<string, HostTensor>, modelSha256: string): Map<string, HostTensor> {
  let contents;
  try {
    contents = decodeSafetensors(bytes);
  } catch (error) {
    throw new ThetaCodecError((error as Error).message);
  }
  const { codec, model } = contents.metadata;
  if (codec !== THETA_CODEC) throw new ThetaCodecError(`codec ${JSON.stringify(codec)}, expected ${THETA_CODEC}`);
  if (model !== modelSha256) throw new ThetaCodecError(`made for model ${model}, not ${modelSha256}`);
  const out = new Map<string, HostTensor>();
  for (const [name, tensor] of contents.tensors) {
    const theta = base.get(name);
    if (!theta || theta.data.length !== tensor.data.length) throw new ThetaCodecError(`parameter ${name} does not match the model`);
    const delta = tensor.dtype === 'float16' ? fromFloat16(tensor.data as Uint16Array) : (tensor.data as Float32Array);
    const data = new Float32Array(delta.length);
    for (let i = 0; i < data.length; i++) data[i] = theta.data[i]! + delta[i]!;
    out.set(name, { shape: tensor.shape, data });
  }
  return out;
}
