/**
 * Supervised pre-training of a Conv4 body (the pipeline's first stage): softmax over every training
 * class (× 4 rotations when the job uses rotations), batch statistics in batch norm, light affine
 * augmentation, Adam with a cosine decay. Batches are seeded by (seed, step): a resumed stage draws
 * the same batches. After training, `preciseMoments` measures the batch norm moments over many
 * training images and `freezeBody` turns body + moments into θ of the frozen-normalisation,
 * prototype-headed network that later stages and /adapt use.
 */
import { crossEntropy } from '../core/loss.ts';
import { pick, valueAndGradients, zipParams } from '../core/meta/gradients.ts';
import { conv4, conv4BufferNames } from '../core/nets/conv4.ts';
import type { Moments } from '../core/ops/batch_moments.ts';
import { optimizerInit, optimizerStep, scheduleFactor, type OptimizerState } from '../core/optim/index.ts';
import { augmentImage, LIGHT_AUGMENTATION } from '../core/tasks/augment.ts';
import { copyRotatedImage, imageSize, Rng, type ImageStore, type QuarterTurns } from '../core/tasks/index.ts';
import * as tf from '../core/tf.ts';
import type { NetworkSpec, Params } from '../core/types.ts';

export type Conv4Spec = Extract<NetworkSpec, { kind: 'conv4' }>;

export interface PretrainSettings {
  readonly batchSize: number;
  readonly lr: number;
  /** Total steps of the cosine decay. */
  readonly steps: number;
  readonly augment: boolean;
  readonly rotations: boolean;
  readonly seed: number;
}

/** The pre-training network: the served body with batch statistics and a softmax head over `classes`. */
export function pretrainNetwork(served: Conv4Spec, classes: number) {
  return conv4({ ...served, normalization: 'batch', headInit: 'random', outputs: classes });
}

export function pretrainClasses(store: ImageStore, rotations: boolean): number {
  return store.classes.length * (rotations ? 4 : 1);
}

/** Batch `step` of a seeded stream: images (rotated, augmented) and class labels (class·4 + turns). */
export function supervisedBatch(store: ImageStore, settings: PretrainSettings, step: number): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const rng = new Rng(settings.seed).fork(step);
  const size = imageSize(store);
  const xs = new Float32Array(settings.batchSize * size);
  const ys = new Int32Array(settings.batchSize);
  const scratch = new Float32Array(size);
  for (let b = 0; b < settings.batchSize; b++) {
    const c = rng.int(0, store.classes.length);
    const images = store.classes[c]!;
    const image = images[rng.int(0, images.length)]!;
    const turns = (settings.rotations ? rng.int(0, 4) : 0) as QuarterTurns;
    ys[b] = settings.rotations ? c * 4 + turns : c;
    if (settings.augment && store.height === store.width) {
      copyRotatedImage(store, image, turns, scratch, 0);
      augmentImage(scratch, store.height, store.channels, LIGHT_AUGMENTATION, rng, xs, b * size);
    } else {
      copyRotatedImage(store, image, turns, xs, b * size);
    }
  }
  return { x: tf.tensor4d(xs, [settings.batchSize, store.height, store.width, store.channels]), y: tf.tensor1d(ys, 'int32') };
}

export interface PretrainState {
  readonly params: Params;
  readonly optimizer: OptimizerState;
  readonly step: number;
}

export function pretrainInit(net: ReturnType<typeof pretrainNetwork>, seed: number, lr: number): PretrainState {
  const params = net.init(seed);
  return { params, optimizer: optimizerInit({ kind: 'adam', lr }, params), step: 0 };
}

/** One Adam step on a batch; a new state (the old one is left as is) and the batch loss / accuracy. */
export function pretrainStep(
  net: ReturnType<typeof pretrainNetwork>,
  state: PretrainState,
  batch: { x: tf.Tensor4D; y: tf.Tensor1D },
  settings: PretrainSettings,
): { state: PretrainState; loss: number; accuracy: number } {
  const names = Object.keys(state.params);
  const lr = settings.lr * scheduleFactor({ kind: 'cosine', steps: settings.steps }, state.step);
  let accuracy: tf.Scalar | null = null;
  const { value, grads } = valueAndGradients(() => {
    const logits = net.forward(state.params, batch.x);
    accuracy = tf.keep(tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), batch.y), 'float32')) as tf.Scalar);
    return crossEntropy(logits, batch.y);
  }, pick(state.params, names));
  const next = optimizerStep({ kind: 'adam', lr }, state.params, zipParams(names, grads), state.optimizer);
  const loss = value.dataSync()[0]!;
  const acc = (accuracy as tf.Scalar | null)!.dataSync()[0]!;
  tf.dispose([value, ...grads, accuracy!]);
  return { state: { params: next.params, optimizer: next.state, step: state.step + 1 }, loss, accuracy: acc };
}

/**
 * Population batch norm moments of θ's body ("precise BN"): the mean over `images` training images
 * (in chunks large enough that a chunk's moments are the population's) of each layer's moments.
 */
export function preciseMoments(net: ReturnType<typeof conv4>, params: Params, store: ImageStore, seed: number, images = 2048, chunk = 512): Moments[] {
  const rng = new Rng(seed).fork('precise-moments');
  const all: number[] = [];
  for (const c of store.classes) for (let i = 0; i < c.length; i++) all.push(c[i]!);
  const size = imageSize(store);
  const chunks = Math.max(1, Math.round(images / chunk));
  let sums = null as Moments[] | null;
  for (let k = 0; k < chunks; k++) {
    const xs = new Float32Array(chunk * size);
    for (let b = 0; b < chunk; b++) copyRotatedImage(store, all[rng.int(0, all.length)]!, 0, xs, b * size);
    const x = tf.tensor4d(xs, [chunk, store.height, store.width, store.channels]);
    const moments = net.moments!(params, x); // a batch-statistics network
    x.dispose();
    const previous = sums;
    sums = previous === null ? [...moments] : moments.map((m, i) => ({ mean: tf.add(previous[i]!.mean, m.mean) as tf.Tensor1D, variance: tf.add(previous[i]!.variance, m.variance) as tf.Tensor1D }));
    if (previous !== null) tf.dispose([...previous, ...moments].flatMap((m) => [m.mean, m.variance]));
  }
  const result = sums!.map((m) => ({ mean: tf.div(m.mean, chunks) as tf.Tensor1D, variance: tf.div(m.variance, chunks) as tf.Tensor1D }));
  tf.dispose(sums!.flatMap((m) => [m.mean, m.variance]));
  return result;
}

/** θ of the frozen-normalisation, prototype-headed network: the body's parameters (copies) and the moments as buffers. */
export function freezeBody(params: Params, moments: readonly Moments[]): Params {
  const out: Params = {};
  for (const [name, t] of Object.entries(params)) if (!name.startsWith('head.')) out[name] = tf.clone(t);
  const names = conv4BufferNames();
  moments.forEach((m, i) => {
    out[names[2 * i]!] = tf.clone(m.mean);
    out[names[2 * i + 1]!] = tf.clone(m.variance);
  });
  return out;
}
