import * as tf from '../tf.ts';
import { batchNorm } from '../ops/batch-norm.ts';
import { convGeneral } from '../ops/conv-general.ts';
import { paddedGeometry } from '../ops/conv-geometry.ts';
import { assertShape } from '../ops/errors.ts';
import { batchNormReluMaxPool } from '../ops/batch-norm-relu-pool.ts';
import { batchMoments, normalizeWithMoments, type Moments } from '../ops/batch-moments.ts';
import { reluMaxPool2x2 } from '../ops/max-pool.ts';
import type { ForwardOptions, Network, NetworkSpec, NormalizationMoments, Params } from '../types.ts';
import { InvalidNetworkSpecError } from './errors.ts';
import { SeededRandom, normalTensor, xavierUniformConv } from './init.ts';
import { param } from './param.ts';

export type Conv4Spec = Extract<NetworkSpec, { kind: 'conv4' }>;

export const CONV4_BLOCKS = 4;

/**
 * Conv4 (MAML's Omniglot / MiniImagenet network), functional.
 * 'maxpool': 4 × [3×3 conv stride 1 (+bias) → batch norm (batch statistics) → ReLU → 2×2 max-pool];
 * 'strided': 4 × [3×3 conv stride 2 (+bias) → batch norm → ReLU] (cbfinn/maml without --max_pool);
 * then the mean over space → dense head. Convolutions pad 1 on every side (PyTorch padding=1).
 * The conv bias is a parameter (checkpoints, PyTorch import) but is not added: batch norm removes
 * any per-channel shift exactly, so outputs are identical and its gradient is exactly zero.
 *
 * Parameters (checkpoint names, tfjs layouts; i = 0..3):
 *   block{i}.conv.weight [3,3,in,filters]   (PyTorch [out,in,3,3] → transpose (2,3,1,0))
 *   block{i}.conv.bias   [filters]
 *   block{i}.bn.weight   [filters]           (BN scale γ; PyTorch bn.weight)
 *   block{i}.bn.bias     [filters]           (BN shift β; PyTorch bn.bias)
 *   head.weight          [filters,outputs]   (PyTorch Linear [outputs,filters] → transpose)
 *   head.bias            [outputs]
 * The head may have fewer columns than `outputs` (a zero-initialised head sliced to n-way).
 * With normalization 'frozen', two buffers per block (never adapted, never meta-updated):
 *   block{i}.bn.running_mean [filters], block{i}.bn.running_var [filters]
 * and every batch is normalised with them (per-image answers equal batch answers).
 * With headInit 'prototype' θ has no head: taskHead sets it per task from the support set.
 */
export function conv4(spec: Conv4Spec): Network<tf.Tensor4D> & Required<Pick<Network<tf.Tensor4D>, 'features' | 'head'>> {
  validate(spec);
  const stride = spec.variant === 'strided' ? 2 : 1;
  const headNames = ['head.weight', 'head.bias'] as const;
  const frozen = spec.normalization === 'frozen';
  const buffers = frozen ? conv4BufferNames() : [];

  /** The body; `record` receives each block's batch moments, `options.moments` replaces them. */
  function body(params: Params, x: tf.Tensor4D, options?: ForwardOptions, record?: Moments[]): tf.Tensor2D {
    assertShape('conv4 input', x.shape, [null, spec.inputSize, spec.inputSize, spec.channels]);
    if (options?.moments && options.moments.length !== CONV4_BLOCKS)
      throw new InvalidNetworkSpecError('moments', options.moments.length, `conv4 has ${CONV4_BLOCKS} batch norm layers`);
    let h = x;
    for (let i = 0; i < CONV4_BLOCKS; i++) {
      const p = (name: string) => param<tf.Tensor>(params, `block${i}.${name}`);
      param(params, `block${i}.conv.bias`); // required (checkpoints), but batch norm cancels it exactly: BN(z + b) = BN(z)
      const conv = convGeneral(h, p('conv.weight') as tf.Tensor4D, paddedGeometry(stride, 1));
      const [gamma, beta] = [p('bn.weight') as tf.Tensor1D, p('bn.bias') as tf.Tensor1D];
      record?.push(batchMoments(conv));
      const fixed = options?.moments?.[i] ?? (frozen ? { mean: p('bn.running_mean') as tf.Tensor1D, variance: p('bn.running_var') as tf.Tensor1D } : undefined);
      if (fixed) {
        const normalized = normalizeWithMoments(conv, gamma, beta, fixed) as tf.Tensor4D;
        h = spec.variant === 'maxpool' ? reluMaxPool2x2(normalized) : tf.relu(normalized);
      } else {
        h = spec.variant === 'maxpool' ? batchNormReluMaxPool(conv, gamma, beta) : tf.relu(batchNorm(conv, gamma, beta) as tf.Tensor4D);
      }
    }
    const [n, sh, sw, c] = h.shape;
    return sh * sw === 1 ? tf.reshape(h, [n, c]) : tf.mean(tf.reshape(h, [n, sh * sw, c]), 1);
  }

  function features(params: Params, x: tf.Tensor4D, options?: ForwardOptions): tf.Tensor2D {
    return body(params, x, options);
  }

  function moments(params: Params, x: tf.Tensor4D): NormalizationMoments {
    return tf.tidy(() => {
      const record: Moments[] = [];
      body(params, x, undefined, record);
      return record as unknown as tf.TensorContainer; // tidy keeps the tensors it returns
    }) as unknown as NormalizationMoments;
  }

  function head(params: Params, feats: tf.Tensor2D): tf.Tensor2D {
    const w = param<tf.Tensor2D>(params, 'head.weight');
    return tf.add(tf.matMul(feats, w), param<tf.Tensor1D>(params, 'head.bias'));
  }

  /** Proto-MAML's head: w_c = 2μ_c, b_c = −‖μ_c‖² (logits = −‖f − μ_c‖² + ‖f‖²). */
  function taskHead(params: Params, x: tf.Tensor4D, labels: tf.Tensor1D, classes: number, options?: ForwardOptions): Params {
    const feats = body(params, x, options);
    const onehot = tf.oneHot(tf.cast(labels, 'int32'), classes); // [S, N]
    const counts = tf.maximum(tf.sum(onehot, 0), 1); // [N]
    const means = tf.div(tf.matMul(onehot, feats, true, false), tf.reshape(counts, [classes, 1])); // [N, F]
    return { 'head.weight': tf.mul(tf.transpose(means), 2), 'head.bias': tf.neg(tf.sum(tf.square(means), 1)) };
  }

  /** ReLU is positively homogeneous: scaling the last block's γ and β by c scales its output, and the mean over space, by c. */
  function scaleFeatures(params: Params, factor: number): Params {
    if (!(factor > 0)) throw new InvalidNetworkSpecError('factor', factor, 'a feature scale must be positive');
    const last = CONV4_BLOCKS - 1;
    const names = [`block${last}.bn.weight`, `block${last}.bn.bias`];
    return { ...params, ...Object.fromEntries(names.map((name) => [name, tf.mul(param<tf.Tensor>(params, name), factor)])) };
  }

  function init(seed: number): Params {
    const rng = new SeededRandom(seed);
    const params: Params = {};
    let inChannels = spec.channels;
    for (let i = 0; i < CONV4_BLOCKS; i++) {
      params[`block${i}.conv.weight`] = xavierUniformConv(rng, 3, inChannels, spec.filters);
      params[`block${i}.conv.bias`] = tf.zeros([spec.filters]);
      params[`block${i}.bn.weight`] = tf.ones([spec.filters]);
      params[`block${i}.bn.bias`] = tf.zeros([spec.filters]);
      if (frozen) {
        params[`block${i}.bn.running_mean`] = tf.zeros([spec.filters]);
        params[`block${i}.bn.running_var`] = tf.ones([spec.filters]);
      }
      inChannels = spec.filters;
    }
    if (spec.headInit === 'prototype') return params;
    params['head.weight'] = spec.headInit === 'zero' ? tf.zeros([spec.filters, spec.outputs]) : normalTensor(rng, [spec.filters, spec.outputs], 0.01);
    params['head.bias'] = tf.zeros([spec.outputs]);
    return params;
  }

  return {
    spec,
    headNames,
    init,
    features,
    head,
    // Batch moments only where batch norm uses them (frozen moments are part of θ).
    ...(frozen ? {} : { moments }),
    buffers,
    scaleFeatures,
    ...(spec.headInit === 'prototype' ? { taskHead } : {}),
    forward: (params, x, options) => head(params, features(params, x, options)),
  };
}

/**
 * Every tensor of θ with its shape, declared from the spec alone (no tensors: validation of
 * imported checkpoints reads it). `init` makes exactly these (src/core/nets/nets.test.ts).
 */
export function conv4ParameterShapes(spec: Conv4Spec): Record<string, number[]> {
  validate(spec);
  const f = spec.filters;
  const shapes: Record<string, number[]> = {};
  let inChannels = spec.channels;
  for (let i = 0; i < CONV4_BLOCKS; i++) {
    shapes[`block${i}.conv.weight`] = [3, 3, inChannels, f];
    for (const name of ['conv.bias', 'bn.weight', 'bn.bias']) shapes[`block${i}.${name}`] = [f];
    if (spec.normalization === 'frozen') for (const name of ['bn.running_mean', 'bn.running_var']) shapes[`block${i}.${name}`] = [f];
    inChannels = f;
  }
  if (spec.headInit === 'prototype') return shapes;
  shapes['head.weight'] = [f, spec.outputs];
  shapes['head.bias'] = [spec.outputs];
  return shapes;
}

/** The frozen-normalisation buffers, block by block (mean, then variance). */
export function conv4BufferNames(): string[] {
  return Array.from({ length: CONV4_BLOCKS }, (_, i) => [`block${i}.bn.running_mean`, `block${i}.bn.running_var`]).flat();
}

/** Spatial size after the four blocks (maxpool: floor(h/2) each; strided: ceil(h/2) each). */
export function conv4OutputSize(spec: Conv4Spec): number {
  let size = spec.inputSize;
  for (let i = 0; i < CONV4_BLOCKS; i++) size = spec.variant === 'maxpool' ? Math.floor(size / 2) : Math.floor((size - 1) / 2) + 1;
  return size;
}

function validate(spec: Conv4Spec): void {
  for (const field of ['inputSize', 'channels', 'filters', 'outputs'] as const) {
    const v = spec[field];
    if (!Number.isInteger(v) || v < 1) throw new InvalidNetworkSpecError(field, v, 'must be a positive integer');
  }
  if (conv4OutputSize(spec) < 1) throw new InvalidNetworkSpecError('inputSize', spec.inputSize, 'too small for four 2×2 pools');
}
