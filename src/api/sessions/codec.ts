/**
 * θ′ of a session, stored compactly: only the parameters adaptation changed, as their difference
 * from the model's θ (small numbers, so float16 keeps them to ~3 significant digits without
 * changing predictions; a test checks that), in a safetensors file whose metadata names the codec
 * version and the model's artifact digest, so θ′ is never applied to other weights.
 * Version 2 adds the batch norm moments of the adapted network on the support set (float32,
 * `moments.<layer>.mean|variance`): /predict normalises each image with them, so an image's
 * prediction does not depend on the others in its request. Version 1 sessions have none.
 */
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from '../../core/checkpoint/safetensors.ts';
import { addFloat16, toFloat16 } from '../../core/checkpoint/float16.ts';

export const THETA_CODEC = 'maml-service/session-theta@2';
const READABLE_CODECS = new Set(['maml-service/session-theta@1', THETA_CODEC]);
const MOMENTS = /^moments\.(\d+)\.(mean|variance)$/;

export type ThetaPrecision = 'float16' | 'float32';

export interface HostTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** One batch norm layer's moments on the support set. */
export interface HostMoments {
  readonly mean: Float32Array;
  readonly variance: Float32Array;
}

export interface DecodedTheta {
  /** θ′ for the adapted names. */
  readonly params: Map<string, HostTensor>;
  /** Per normalisation layer, in order; null for a version 1 session. */
  readonly moments: HostMoments[] | null;
}

export class ThetaCodecError extends Error {
  constructor(readonly reason: string) {
    super(`session weights cannot be decoded: ${reason}`);
  }
}

/**
 * θ′ − θ as halves and back: JavaScript here, the same bits in native code when the inference
 * thread has the addon (src/kernels/theta-prep.ts: nativeFloat16).
 */
export interface Float16Kernels {
  add(base: Float32Array, bits: Uint16Array): Float32Array;
  subtract(value: Float32Array, base: Float32Array): Uint16Array;
}

/** value − base, element by element, in float32. */
function difference(value: Float32Array, base: Float32Array): Float32Array {
  const delta = new Float32Array(value.length);
  for (let i = 0; i < delta.length; i++) delta[i] = value[i]! - base[i]!;
  return delta;
}

export const JS_FLOAT16: Float16Kernels = {
  add: addFloat16,
  subtract: (value, base) => toFloat16(difference(value, base)),
};

/**
 * Encodes θ′ − θ for the adapted names; `perTask` names that θ lacks (a prototype-headed model's
 * head, set per session) are stored as values.
 */
export function encodeTheta(
  base: ReadonlyMap<string, HostTensor>,
  adapted: ReadonlyMap<string, HostTensor>,
  modelSha256: string,
  precision: ThetaPrecision,
  moments: readonly HostMoments[] = [],
  perTask: readonly string[] = [],
  float16: Float16Kernels = JS_FLOAT16,
): Uint8Array {
  const tensors = new Map<string, NamedTensor>();
  moments.forEach(({ mean, variance }, layer) => {
    tensors.set(`moments.${layer}.mean`, { dtype: 'float32', shape: [mean.length], data: mean });
    tensors.set(`moments.${layer}.variance`, { dtype: 'float32', shape: [variance.length], data: variance });
  });
  for (const [name, tensor] of adapted) {
    if (perTask.includes(name) && !base.has(name)) {
      // A per-task head (prototype-headed models): θ has none, so the values themselves, in float32.
      tensors.set(name, { dtype: 'float32', shape: tensor.shape, data: tensor.data });
      continue;
    }
    const theta = base.get(name);
    if (!theta || theta.data.length !== tensor.data.length) throw new ThetaCodecError(`parameter ${name} does not match the model`);
    tensors.set(
      name,
      precision === 'float16'
        ? { dtype: 'float16', shape: tensor.shape, data: float16.subtract(tensor.data, theta.data) }
        : { dtype: 'float32', shape: tensor.shape, data: difference(tensor.data, theta.data) },
    );
  }
  return encodeSafetensors(tensors, { codec: THETA_CODEC, model: modelSha256, precision });
}

/** θ′ for the adapted names (θ + stored difference) and the moments, checked against the model's digest. */
export function decodeTheta(
  bytes: Uint8Array,
  base: ReadonlyMap<string, HostTensor>,
  modelSha256: string,
  perTask: readonly string[] = [],
  float16: Float16Kernels = JS_FLOAT16,
): DecodedTheta {
  let contents;
  try {
    contents = decodeSafetensors(bytes);
  } catch (error) {
    throw new ThetaCodecError((error as Error).message);
  }
  const { codec, model } = contents.metadata;
  if (!READABLE_CODECS.has(codec ?? '')) throw new ThetaCodecError(`codec ${JSON.stringify(codec)}, expected ${THETA_CODEC}`);
  if (model !== modelSha256) throw new ThetaCodecError(`made for model ${model}, not ${modelSha256}`);
  const out = new Map<string, HostTensor>();
  const moments: { mean?: Float32Array; variance?: Float32Array }[] = [];
  for (const [name, tensor] of contents.tensors) {
    const moment = MOMENTS.exec(name);
    if (moment) {
      if (tensor.dtype !== 'float32') throw new ThetaCodecError(`${name} is ${tensor.dtype}, expected float32`);
      (moments[Number(moment[1])] ??= {})[moment[2] as 'mean' | 'variance'] = tensor.data as Float32Array;
      continue;
    }
    if (perTask.includes(name) && !base.has(name)) {
      if (tensor.dtype !== 'float32') throw new ThetaCodecError(`${name} is ${tensor.dtype}, expected float32`);
      out.set(name, { shape: tensor.shape, data: tensor.data as Float32Array });
      continue;
    }
    const theta = base.get(name);
    if (!theta || theta.data.length !== tensor.data.length) throw new ThetaCodecError(`parameter ${name} does not match the model`);
    let data: Float32Array;
    if (tensor.dtype === 'float16') data = float16.add(theta.data, tensor.data as Uint16Array);
    else {
      const delta = tensor.data as Float32Array;
      data = new Float32Array(delta.length);
      for (let i = 0; i < data.length; i++) data[i] = theta.data[i]! + delta[i]!;
    }
    out.set(name, { shape: tensor.shape, data });
  }
  if (moments.length === 0) return { params: out, moments: null };
  const complete = [...moments].map((m, layer) => {
    if (!m?.mean || !m.variance || m.mean.length !== m.variance.length) throw new ThetaCodecError(`the moments of layer ${layer} are incomplete`);
    return { mean: m.mean, variance: m.variance };
  });
  return { params: out, moments: complete };
}
