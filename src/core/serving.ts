/**
 * The serving fast path for Conv4 with frozen batch norm (the shipped `omniglot` model): what
 * `/adapt` (head-only, the default) and `/predict` compute, in far fewer, larger kernel calls than
 * the differentiable reference (adapt / predict in adapt.ts, which stay the reference: a test
 * checks that both give the same θ′ and scores on real drawings).
 *
 *  - Frozen batch norm is a per-channel affine map, so it is folded into the convolution:
 *    conv(x, w)·s + (β − μ·s) = conv(x, w·s) + (β − μ·s), s = γ/√(σ² + ε). A block is then one
 *    native FusedConv2D (bias + ReLU epilogue) and, for the max-pool variant, the pool fused in
 *    too (MamlFusedConv2DMaxPool: ReLU and max-pool commute, and the full-size activation is
 *    never written out; FusedConv2D + MaxPool without the addon): 4 kernel calls for the body
 *    instead of ~30 (the reference normalises in 3 elementwise passes and builds max-pool
 *    routing masks).
 *  - Head-only adaptation computes the support features once (the reference computes them twice:
 *    for the prototype head and for the objective), then runs the SGD steps on the linear head on
 *    the host: softmax cross-entropy's gradient is dW = Fᵀ(P − Y)/S, db = Σ(P − Y)/S, a few
 *    thousand multiply-adds, cheaper in JavaScript than ~40 tfjs kernel calls.
 * Like the reference, the conv bias is not added (batch norm cancels it in 'batch' mode; the
 * network defines it away in 'frozen' mode too).
 *
 * Head-only adaptation of a Conv4 with batch statistics takes the same host head steps after one
 * reference body pass.
 *  - All-layer adaptation of a Conv4 (first order, as adapt: no meta-gradient; batch statistics or
 *    frozen moments; a fixed rate or learned per-step / per-parameter rates; a prototype head or a
 *    stored one) is one native kernel call for all K steps when the addon registered
 *    `MamlConv4Adapt` (native/kernels/inner_loop.c: forward with saved activations, backward and
 *    SGD update in C on the shared GEMM), instead of ~240 tfjs kernel calls per step.
 * Everything else (regression, other losses, prediction with batch statistics through
 * batchStatisticsFeatures aside) returns undefined here: the caller runs the reference.
 */
import { BATCH_NORM_EPSILON } from './ops/batch-norm.ts';
import { CONV4_ADAPT, NATIVE_NAMES, nativeImages, nativeKernelFor, nativeLabels, nativePlan } from './native-conv4.ts';
import { CONV4_BLOCKS } from './nets/conv4.ts';
import * as tf from './tf.ts';
import type { InnerLearningRate } from './meta/learning-rates.ts';
import { type AdaptResult, type LabelledSet, type PhaseTimes, timed } from './adapt.ts';
import type { ForwardOptions, Network, NormalizationMoments, Params } from './types.ts';

const HEAD = ['head.weight', 'head.bias'] as const;

/** A Conv4 body with its frozen batch norm folded into each convolution. */
export interface FoldedConv4 {
  readonly blocks: readonly { readonly weight: tf.Tensor4D; readonly bias: tf.Tensor1D }[];
  readonly stride: 1 | 2;
  readonly pool: boolean;
}

/** True for a Conv4 with frozen batch norm (its body folds into 4 convolutions with bias). */
export function foldable(net: Network<tf.Tensor4D> | Network): boolean {
  return net.spec.kind === 'conv4' && net.spec.normalization === 'frozen';
}

/** The native kernels' fold of one block (src/kernels/theta-prep.ts): 1 call instead of 6 tfjs ops. */
const FOLD_BATCH_NORM = 'MamlFoldBatchNorm';

/**
 * The folded body (new tensors; dispose with disposeFolded), or undefined when not foldable:
 * with the frozen moments of θ, or with given `moments` (any Conv4: e.g. /predict's support-set
 * moments for a network with batch statistics).
 */
export function foldFrozenBatchNorm(net: Network, params: Params, moments?: NormalizationMoments): FoldedConv4 | undefined {
  if (net.spec.kind !== 'conv4' || (net.spec.normalization !== 'frozen' && !moments)) return undefined;
  if (moments && moments.length !== CONV4_BLOCKS) return undefined;
  const variant = net.spec.variant;
  const native = tf.getKernel(FOLD_BATCH_NORM, tf.getBackend()) !== undefined;
  const blocks = tf.tidy(() =>
    Array.from({ length: CONV4_BLOCKS }, (_, i) => {
      const p = (name: string) => {
        const t = params[`block${i}.${name}`];
        if (!t) throw new Error(`missing parameter block${i}.${name}`);
        return t;
      };
      const [mean, variance] = moments ? [moments[i]!.mean, moments[i]!.variance] : [p('bn.running_mean'), p('bn.running_var')];
      if (native) {
        const inputs = { filter: p('conv.weight'), gamma: p('bn.weight'), beta: p('bn.bias'), mean, variance };
        const [weight, bias] = tf.engine().runKernel(FOLD_BATCH_NORM, inputs, { epsilon: BATCH_NORM_EPSILON }) as [tf.Tensor4D, tf.Tensor1D];
        return { weight: weight!, bias: bias! };
      }
      const scale = tf.mul(tf.rsqrt(tf.add(variance, BATCH_NORM_EPSILON)), p('bn.weight'));
      return { weight: tf.mul(p('conv.weight'), scale) as tf.Tensor4D, bias: tf.sub(p('bn.bias'), tf.mul(mean, scale)) as tf.Tensor1D };
    }),
  );
  return { blocks, stride: variant === 'strided' ? 2 : 1, pool: variant === 'maxpool' };
}

/**
 * Folded bodies of the last few θ seen (frozen moments only: they depend on θ alone), so that a
 * served model folds once, not on every /adapt and /predict. An entry is used only while every
 * tensor it is asked for holds the very data it was folded from (the model's θ, as /adapt and
 * /predict pass it; tensor data is never mutated).
 */
const FOLD_CACHE_SIZE = 4;
const foldCache: { sources: tf.Tensor[]; folded: FoldedConv4 }[] = [];

function foldSources(params: Params): tf.Tensor[] | undefined {
  const names = ['conv.weight', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var'];
  const sources: tf.Tensor[] = [];
  for (let i = 0; i < CONV4_BLOCKS; i++) {
    for (const name of names) {
      const t = params[`block${i}.${name}`];
      if (!t) return undefined;
      sources.push(t);
    }
  }
  return sources;
}

/** The folded body of a frozen-BN Conv4 from the cache (or folded now and cached); the cache owns it. */
function cachedFold(net: Network, params: Params): FoldedConv4 | undefined {
  const sources = foldSources(params);
  if (!sources) return undefined;
  // The same data (tensor data is immutable), still alive. (On wasm a clone has data of its own: θ′'s clones miss.)
  const hit = foldCache.findIndex((e) => e.sources.every((t, i) => t.dataId === sources[i]!.dataId && !sources[i]!.isDisposed));
  if (hit >= 0) {
    const [entry] = foldCache.splice(hit, 1);
    foldCache.unshift(entry!);
    return entry!.folded;
  }
  const folded = foldFrozenBatchNorm(net, params);
  if (!folded) return undefined;
  for (const b of folded.blocks) tf.keep(b.weight), tf.keep(b.bias);
  foldCache.unshift({ sources, folded });
  // Evict the least recent, and entries whose θ is gone (a model unloaded).
  for (let i = foldCache.length - 1; i >= 0; i--) {
    if (i >= FOLD_CACHE_SIZE || foldCache[i]!.sources.some((t) => t.isDisposed)) disposeFolded(foldCache.splice(i, 1)[0]!.folded);
  }
  return folded;
}

/** Tensors the fold cache holds (a thread's leak check counts what is outside its caches). */
export function foldCacheTensors(): number {
  return foldCache.reduce((n, e) => n + e.folded.blocks.length * 2, 0);
}

/** Disposes the cached folded bodies (tests that count tensors; a thread that unloads every model). */
export function clearFoldCache(): void {
  for (const entry of foldCache.splice(0)) disposeFolded(entry.folded);
}

export function disposeFolded(folded: FoldedConv4): void {
  for (const b of folded.blocks) tf.dispose([b.weight, b.bias]);
}

const PAD_1: [[number, number], [number, number], [number, number], [number, number]] = [
  [0, 0],
  [1, 1],
  [1, 1],
  [0, 0],
];

/**
 * The native kernels' conv + bias + ReLU + 2×2 max-pool in one call (src/kernels registers it on
 * the wasm backend when the addon is built; named here so the core does not import src/kernels).
 */
const FUSED_CONV_POOL = 'MamlFusedConv2DMaxPool';

/** Body features [N, filters] of the folded network (forward only, no tape). */
export function foldedFeatures(folded: FoldedConv4, x: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const fusedPool = folded.pool && tf.getKernel(FUSED_CONV_POOL, tf.getBackend()) !== undefined;
    let h = x;
    for (const { weight, bias } of folded.blocks) {
      if (fusedPool) {
        h = tf.engine().runKernel<tf.Tensor4D>(FUSED_CONV_POOL, { x: h, filter: weight, bias }, { strides: folded.stride, pad: PAD_1, activation: 'relu' });
        continue;
      }
      h = tf.fused.conv2d({ x: h, filter: weight, strides: folded.stride, pad: PAD_1, bias, activation: 'relu' });
      if (folded.pool) h = tf.maxPool(h, 2, 2, 'valid');
    }
    const [n, sh, sw, c] = h.shape;
    return sh * sw === 1 ? tf.reshape(h, [n, c]) : tf.mean(tf.reshape(h, [n, sh * sw, c]), 1);
  });
}

/** The native kernels' training-mode batch norm + ReLU (+ 2×2 max-pool) in one call (src/kernels). */
const BATCH_NORM_RELU_POOL = 'MamlBatchNormReluPool';

/**
 * Body features [N, filters] of a Conv4 with batch statistics (each block normalised with the
 * batch's own moments, as net.features), forward only: per block one native Conv2D and one
 * MamlBatchNormReluPool instead of ~15 kernels; net.features itself when that kernel is missing.
 * The conv bias is not added (batch norm cancels it, as in conv4).
 */
export function batchStatisticsFeatures(net: Network, params: Params, x: tf.Tensor4D): tf.Tensor2D {
  if (net.spec.kind !== 'conv4' || tf.getKernel(BATCH_NORM_RELU_POOL, tf.getBackend()) === undefined) return tf.tidy(() => net.features!(params, x));
  const variant = net.spec.variant;
  return tf.tidy(() => {
    let h = x;
    for (let i = 0; i < CONV4_BLOCKS; i++) {
      const p = (name: string) => params[`block${i}.${name}`]!;
      const conv = tf.conv2d(h, p('conv.weight') as tf.Tensor4D, variant === 'strided' ? 2 : 1, PAD_1);
      h = tf
        .engine()
        .runKernel<tf.Tensor4D>(
          BATCH_NORM_RELU_POOL,
          { x: conv, gamma: p('bn.weight'), beta: p('bn.bias') },
          { epsilon: BATCH_NORM_EPSILON, pool: variant === 'maxpool' },
        );
    }
    const [n, sh, sw, c] = h.shape;
    return sh * sw === 1 ? tf.reshape(h, [n, c]) : tf.mean(tf.reshape(h, [n, sh * sw, c]), 1);
  });
}

/** Whether adaptFast handles these options (else run the reference adapt). */
export function fastAdaptable(net: Network, lr: InnerLearningRate, only: readonly string[] | undefined, support: LabelledSet): boolean {
  return (
    net.spec.kind === 'conv4' &&
    net.features !== undefined &&
    typeof lr === 'number' &&
    only !== undefined &&
    only.length === HEAD.length &&
    HEAD.every((name) => only.includes(name)) &&
    net.headNames.length === HEAD.length &&
    support.y.rank === 1
  );
}

export interface FastAdaptOptions {
  readonly steps: number;
  readonly lr: InnerLearningRate;
  readonly only?: readonly string[];
  readonly phases?: PhaseTimes;
  /** Also return θ′'s batch moments on the support set (AdaptResult.moments) when the native inner loop computes them. */
  readonly moments?: boolean;
}

/**
 * Adaptation on the fast path, the same as adapt(net, params, support, options) with the default
 * loss, or undefined when this path does not handle it (the caller runs the reference): head-only
 * adaptation of a Conv4 (frozen batch norm: folded; batch statistics: the reference body, run
 * once), or all-layer adaptation of a Conv4 in one native call (nativeInnerLoop). θ′ holds new
 * tensors for every name (the unadapted ones are clones), as adapt's.
 */
export function adaptFast(net: Network, params: Params, support: LabelledSet<tf.Tensor4D>, options: FastAdaptOptions): AdaptResult | undefined {
  if (!fastAdaptable(net, options.lr, options.only, support)) return nativeInnerLoop(net, params, support, options);
  if (!Number.isInteger(options.steps) || options.steps < 0) return undefined;
  const { phases } = options;
  const lr = options.lr as number;
  // Frozen batch norm folds into the convolutions; with batch statistics the reference body runs (once).
  const folded = foldable(net) ? timed(phases, 'fold', () => cachedFold(net, params)) : undefined;
  if (foldable(net) && !folded) return undefined;
  let feats: Float32Array;
  let rows: number;
  let width: number;
  try {
    const f = timed(phases, 'forward', () => (folded ? foldedFeatures(folded, support.x) : batchStatisticsFeatures(net, params, support.x)));
    [rows, width] = f.shape;
    feats = timed(phases, 'forward', () => f.dataSync() as Float32Array);
    f.dispose();
  } finally {
    // the cache owns folded bodies
  }
  const t0 = performance.now();
  const labels = Int32Array.from(support.y.dataSync());
  let head: LinearHead;
  if (net.taskHead) {
    head = prototypeHead(feats, labels, rows, width, Math.max(...labels) + 1);
  } else {
    const w = params['head.weight'],
      b = params['head.bias'];
    if (!w || !b) return undefined;
    head = { weight: Float32Array.from(w.dataSync()), bias: Float32Array.from(b.dataSync()), classes: b.shape[0]! };
  }
  for (let step = 0; step < options.steps; step++) sgdStep(head, feats, labels, rows, width, lr);
  const { loss, accuracy } = lossAndAccuracy(head, feats, labels, rows, width);
  const adapted: Params = {};
  for (const [name, t] of Object.entries(params)) if (!HEAD.includes(name as (typeof HEAD)[number])) adapted[name] = tf.clone(t);
  adapted['head.weight'] = tf.tensor2d(head.weight, [width, head.classes]);
  adapted['head.bias'] = tf.tensor1d(head.bias);
  if (phases) phases['head_steps'] = (phases['head_steps'] ?? 0) + performance.now() - t0;
  return { params: adapted, supportLoss: loss, supportAccuracy: accuracy };
}

/**
 * Class probabilities [N, classes] of a Conv4, the same as predict(net, params, x, options), or
 * undefined for other networks. Frozen moments, or given ones (options.moments), are folded into
 * the convolutions; otherwise x is normalised with its own batch statistics as the reference
 * does (batchStatisticsFeatures). Caller disposes.
 */
export function predictFast(
  net: Network,
  params: Params,
  x: tf.Tensor4D,
  options?: ForwardOptions & { readonly phases?: PhaseTimes },
): tf.Tensor2D | undefined {
  if (net.spec.kind !== 'conv4' || !net.features || !params['head.weight'] || !params['head.bias']) return undefined;
  const phases = options?.phases;
  // Frozen moments: the cached fold; given moments (a session's): folded for this call.
  const own = options?.moments !== undefined;
  const folded = own
    ? timed(phases, 'fold', () => foldFrozenBatchNorm(net, params, options?.moments))
    : foldable(net)
      ? timed(phases, 'fold', () => cachedFold(net, params))
      : undefined;
  if ((foldable(net) || own) && !folded) return undefined;
  try {
    return timed(phases, 'queries', () =>
      tf.tidy(() => {
        const feats = folded ? foldedFeatures(folded, x) : batchStatisticsFeatures(net, params, x);
        return tf.softmax(tf.add(tf.matMul(feats, params['head.weight'] as tf.Tensor2D), params['head.bias']!)) as tf.Tensor2D;
      }),
    );
  } finally {
    if (folded && own) disposeFolded(folded);
  }
}

/** A linear head on the host: weight [features, classes] row-major, bias [classes]. */
interface LinearHead {
  weight: Float32Array;
  bias: Float32Array;
  readonly classes: number;
}

/** Proto-MAML's head (conv4's taskHead): w_c = 2μ_c, b_c = −‖μ_c‖², μ_c the mean feature of class c. */
function prototypeHead(feats: Float32Array, labels: Int32Array, rows: number, width: number, classes: number): LinearHead {
  const sums = new Float64Array(classes * width);
  const counts = new Float64Array(classes);
  for (let r = 0; r < rows; r++) {
    const c = labels[r]!;
    counts[c]! += 1;
    for (let f = 0; f < width; f++) sums[c * width + f]! += feats[r * width + f]!;
  }
  const weight = new Float32Array(width * classes);
  const bias = new Float32Array(classes);
  for (let c = 0; c < classes; c++) {
    const n = Math.max(counts[c]!, 1);
    let norm = 0;
    for (let f = 0; f < width; f++) {
      const mean = Math.fround(sums[c * width + f]! / n);
      weight[f * classes + c] = 2 * mean;
      norm += mean * mean;
    }
    bias[c] = -norm;
  }
  return { weight, bias, classes };
}

/** Logits [rows, classes] in float64. */
function logits(head: LinearHead, feats: Float32Array, rows: number, width: number): Float64Array {
  const k = head.classes;
  const out = new Float64Array(rows * k);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < k; c++) out[r * k + c] = head.bias[c]!;
    for (let f = 0; f < width; f++) {
      const v = feats[r * width + f]!;
      if (v === 0) continue; // ReLU features are often exactly zero
      const wRow = f * k;
      for (let c = 0; c < k; c++) out[r * k + c]! += v * head.weight[wRow + c]!;
    }
  }
  return out;
}

/** Row-wise softmax in place; returns each row's log-sum-exp. */
function softmaxRows(z: Float64Array, rows: number, k: number): Float64Array {
  const lse = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, z[r * k + c]!);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(z[r * k + c]! - max);
    lse[r] = max + Math.log(sum);
    for (let c = 0; c < k; c++) z[r * k + c] = Math.exp(z[r * k + c]! - lse[r]!);
  }
  return lse;
}

/** One SGD step on the mean softmax cross-entropy. */
function sgdStep(head: LinearHead, feats: Float32Array, labels: Int32Array, rows: number, width: number, lr: number): void {
  const k = head.classes;
  const g = logits(head, feats, rows, width);
  softmaxRows(g, rows, k);
  for (let r = 0; r < rows; r++) {
    const label = labels[r]!;
    if (label >= 0 && label < k) g[r * k + label]! -= 1;
    for (let c = 0; c < k; c++) g[r * k + c]! /= rows;
  }
  const weight = new Float32Array(head.weight);
  for (let f = 0; f < width; f++) {
    for (let c = 0; c < k; c++) {
      let sum = 0;
      for (let r = 0; r < rows; r++) sum += feats[r * width + f]! * g[r * k + c]!;
      weight[f * k + c] = head.weight[f * k + c]! - lr * sum;
    }
  }
  const bias = new Float32Array(head.bias);
  for (let c = 0; c < k; c++) {
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += g[r * k + c]!;
    bias[c] = head.bias[c]! - lr * sum;
  }
  head.weight = weight;
  head.bias = bias;
}

function lossAndAccuracy(head: LinearHead, feats: Float32Array, labels: Int32Array, rows: number, width: number): { loss: number; accuracy: number } {
  const k = head.classes;
  const z = logits(head, feats, rows, width);
  let loss = 0;
  let correct = 0;
  const target = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (z[r * k + c]! > z[r * k + best]!) best = c;
    if (best === labels[r]) correct++;
    target[r] = z[r * k + labels[r]!]!;
  }
  const lse = softmaxRows(z, rows, k);
  for (let r = 0; r < rows; r++) loss += lse[r]! - target[r]!;
  return { loss: Math.fround(loss / rows), accuracy: Math.fround(correct / rows) };
}

/**
 * All-layer (or any subset of a Conv4's parameters) adaptation in one native call, the same as
 * adapt(net, params, support, options) up to float rounding; undefined when the kernel is not
 * registered or the case is not Conv4 classification with the default loss (native-conv4.ts).
 */
function nativeInnerLoop(net: Network, params: Params, support: LabelledSet<tf.Tensor4D>, options: FastAdaptOptions): AdaptResult | undefined {
  if (!nativeKernelFor(net, CONV4_ADAPT)) return undefined;
  const { steps, lr, phases } = options;
  if (support.y.rank !== 1 || !nativeImages(net, support.x) || !Number.isInteger(steps) || steps < 0) return undefined;
  const started = performance.now();
  const plan = nativePlan(net, params, lr, steps, options.only);
  if (!plan) return undefined;
  const classes = plan.attrs.prototype ? Math.max(...Array.from(support.y.dataSync())) + 1 : params['head.weight']?.shape[1];
  const labelTensor = nativeLabels(support.y, classes);
  if (!labelTensor) return undefined;
  const inputs: Record<string, tf.Tensor> = { ...plan.inputs, x: support.x, labels: labelTensor };
  const attrs = { ...plan.attrs, classes, steps };
  let outs: tf.Tensor[];
  try {
    outs = tf.engine().runKernel(CONV4_ADAPT, inputs as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as unknown as tf.Tensor[];
  } finally {
    if (labelTensor !== support.y) labelTensor.dispose();
  }
  const metrics = outs[14]!.dataSync();
  const adapted: Params = {};
  for (const [name, t] of Object.entries(params)) if (!NATIVE_NAMES.includes(name)) adapted[name] = tf.clone(t);
  NATIVE_NAMES.forEach((name, i) => (adapted[name] = outs[i]!));
  const momentTensors = outs.slice(15);
  const moments: NormalizationMoments | undefined =
    options.moments && momentTensors.length === 2 * CONV4_BLOCKS
      ? Array.from({ length: CONV4_BLOCKS }, (_, i) => ({ mean: momentTensors[2 * i] as tf.Tensor1D, variance: momentTensors[2 * i + 1] as tf.Tensor1D }))
      : undefined;
  if (!moments) tf.dispose(momentTensors);
  outs[14]!.dispose();
  if (phases) {
    const inside = metrics[2]! + metrics[3]! + metrics[4]! + metrics[5]!;
    (['forward', 'backward', 'update', 'metrics'] as const).forEach((p, i) => (phases[p] = (phases[p] ?? 0) + metrics[2 + i]!));
    phases['host'] = (phases['host'] ?? 0) + performance.now() - started - inside;
  }
  return { params: adapted, supportLoss: metrics[0]!, supportAccuracy: metrics[1]!, ...(moments ? { moments } : {}) };
}
