/**
 * What the core's two native Conv4 kernels take (src/kernels registers them on the wasm backend
 * when the addon is built): `MamlConv4Adapt`, the first-order inner loop (src/core/serving.ts),
 * and `MamlConv4MetaGradient`, the meta-gradient (src/core/meta/native-meta-gradient.ts). Both
 * read θ in one parameter order under short input names, frozen moments and learned rates the
 * same way; this file builds those inputs once. Named here so the core does not import
 * src/kernels; each caller falls back to the tfjs reference when its kernel is not registered or
 * the case is not Conv4 classification.
 *
 * The conv biases are never sent: batch norm cancels them, so their gradient is exactly zero.
 */
import { trainableNames } from './adapt.ts';
import { type InnerLearningRate, validateRates } from './meta/learning-rates.ts';
import { CONV4_BLOCKS } from './nets/conv4.ts';
import { BATCH_NORM_EPSILON } from './ops/batch-norm.ts';
import * as tf from './tf.ts';
import type { Network, Params } from './types.ts';

export const CONV4_ADAPT = 'MamlConv4Adapt';
export const CONV4_META_GRADIENT = 'MamlConv4MetaGradient';

/** The parameters the native kernels read, in their order (w, γ, β per block; head weight, bias). */
export const NATIVE_NAMES: readonly string[] = [
  ...Array.from({ length: CONV4_BLOCKS }, (_, i) => [`block${i}.conv.weight`, `block${i}.bn.weight`, `block${i}.bn.bias`]).flat(),
  'head.weight',
  'head.bias',
];

const CONV_BIASES = Array.from({ length: CONV4_BLOCKS }, (_, i) => `block${i}.conv.bias`);

/** The kernels' input name of NATIVE_NAMES[i]. */
function inputKey(i: number): string {
  return i === 12 ? 'headW' : i === 13 ? 'headB' : `${['w', 'gamma', 'beta'][i % 3]}${Math.floor(i / 3)}`;
}

/** A Conv4 network and a registered kernel `name` on the current backend. */
export function nativeKernelFor(net: Network, name: string): boolean {
  return net.spec.kind === 'conv4' && tf.getKernel(name, tf.getBackend()) !== undefined;
}

export interface NativePlan {
  /** θ (the head too unless prototype), frozen moments, learned rates of the adapted names. */
  readonly inputs: Record<string, tf.Tensor>;
  readonly attrs: {
    readonly stride: 1 | 2;
    readonly pool: boolean;
    readonly frozen: boolean;
    readonly prototype: boolean;
    readonly rateMode: 0 | 1 | 2;
    readonly lr: number;
    readonly epsilon: number;
    /** 14 flags: 1 for each adapted name. */
    readonly adapt: number[];
  };
  /** The adapted names. */
  readonly names: readonly string[];
}

/**
 * The kernels' inputs and attributes for adapting `only` (default: every trainable name) of θ
 * with `lr`, or undefined when the native kernels cannot run it (a name they do not carry,
 * learned rates with a per-task head, missing frozen moments). Throws the reference's typed
 * errors for rates of the wrong shape.
 */
export function nativePlan(net: Network, params: Params, lr: InnerLearningRate, steps: number, only?: readonly string[]): NativePlan | undefined {
  if (net.spec.kind !== 'conv4') return undefined;
  const frozen = net.spec.normalization === 'frozen';
  const prototype = net.taskHead !== undefined;
  // Learned rates with a per-task head: the head's rates are shaped by the task; the reference handles them.
  if (prototype && typeof lr !== 'number') return undefined;
  const headNames = prototype ? ['head.weight', 'head.bias'] : [];
  const available = [...Object.keys(params), ...headNames];
  const names = only ? [...only] : trainableNames(net, Object.fromEntries(available.map((n) => [n, params[n]!])));
  const conveyed = new Set([...NATIVE_NAMES, ...CONV_BIASES]);
  if (!names.every((n) => conveyed.has(n) && available.includes(n))) return undefined;
  if (!NATIVE_NAMES.every((n) => (prototype && n.startsWith('head.') ? true : params[n] !== undefined))) return undefined;
  if (!prototype) validateRates(lr, params, names, steps);
  const rateMode = typeof lr === 'number' ? 0 : 'perStep' in lr ? 1 : 2;
  const rates = typeof lr === 'number' ? {} : 'perStep' in lr ? lr.perStep : lr.perParameter;
  const inputs: Record<string, tf.Tensor> = {};
  NATIVE_NAMES.forEach((name, i) => {
    if (!(prototype && i >= 12)) inputs[inputKey(i)] = params[name]!;
    if (rateMode !== 0 && names.includes(name)) inputs[`rate${i}`] = rates[name]!;
  });
  if (frozen) {
    for (let i = 0; i < CONV4_BLOCKS; i++) {
      const [mean, variance] = [params[`block${i}.bn.running_mean`], params[`block${i}.bn.running_var`]];
      if (!mean || !variance) return undefined;
      inputs[`mean${i}`] = mean;
      inputs[`variance${i}`] = variance;
    }
  }
  const attrs = {
    stride: net.spec.variant === 'strided' ? (2 as const) : (1 as const),
    pool: net.spec.variant === 'maxpool',
    frozen,
    prototype,
    rateMode: rateMode as 0 | 1 | 2,
    lr: typeof lr === 'number' ? lr : 0,
    epsilon: BATCH_NORM_EPSILON,
    adapt: NATIVE_NAMES.map((n) => (names.includes(n) ? 1 : 0)),
  };
  return { inputs, attrs, names };
}

/** A non-empty float32 image batch [n, size, size, channels] of the network's input shape. */
export function nativeImages(net: Network, x: tf.Tensor): boolean {
  if (net.spec.kind !== 'conv4' || x.rank !== 4 || x.dtype !== 'float32') return false;
  const [n, h, w, c] = x.shape as [number, number, number, number];
  return n > 0 && h === net.spec.inputSize && w === net.spec.inputSize && c === net.spec.channels;
}

/** Int32 class labels in [0, classes) (a cast copy when they are not int32: the caller disposes it if !== y). */
export function nativeLabels(y: tf.Tensor, classes: number | undefined): tf.Tensor | undefined {
  if (y.rank !== 1 || classes === undefined) return undefined;
  const labels = Array.from(y.dataSync());
  if (!labels.every((l) => Number.isInteger(l) && l >= 0 && l < classes)) return undefined;
  return y.dtype === 'int32' ? y : tf.cast(y, 'int32');
}
