/**
 * Supervised pre-training of a Conv4 body (the pipeline's first stage): softmax over every training
 * class (× 4 rotations when the job uses rotations), batch statistics in batch norm, light affine
 * augmentation, Adam with a cosine decay. Batches are seeded by (seed, step): a resumed stage draws
 * the same batches, and a batch is the same split over threads (plans) or built here. After training, `preciseMoments` measures the batch norm moments over many
 * training images and `freezeBody` turns body + moments into θ of the frozen-normalisation,
 * prototype-headed network that later stages and /adapt use.
 */
import { conv4, conv4BufferNames } from '../../core/nets/conv4.ts';
import type { Moments } from '../../core/ops/batch-moments.ts';
import { optimizerInit, optimizerStep, scheduleFactor, type OptimizerState } from '../../core/optim/index.ts';
import { supervisedGradient } from '../../core/supervised.ts';
import { copyRotatedImage, imageSize, Rng, type ImageStore, type QuarterTurns } from '../../core/tasks/index.ts';
import { buildSupervisedBatch, type SupervisedPlan } from '../../core/tasks/supervised-plan.ts';
import * as tf from '../../core/tf.ts';
import type { NetworkSpec, Params } from '../../core/types.ts';

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

/**
 * Batch `step` of a seeded stream as plans (no pixels): an image, its quarter turns, its label
 * (class·4 + turns) and the seed of its augmentation. Plans travel to the pool's threads; the
 * batch they build is the same in any thread.
 */
export function supervisedPlans(store: ImageStore, settings: PretrainSettings, step: number): SupervisedPlan[] {
  const rng = new Rng(settings.seed).fork(step);
  return Array.from({ length: settings.batchSize }, () => {
    const c = rng.int(0, store.classes.length);
    const images = store.classes[c]!;
    const image = images[rng.int(0, images.length)]!;
    const turns = (settings.rotations ? rng.int(0, 4) : 0) as QuarterTurns;
    const augment = settings.augment && store.height === store.width ? rng.nextUint32() : null;
    return { kind: 'supervised' as const, image, turns, label: settings.rotations ? c * 4 + turns : c, augment };
  });
}

/** Batch `step` of the seeded stream, built here. */
export function supervisedBatch(store: ImageStore, settings: PretrainSettings, step: number): { x: tf.Tensor4D; y: tf.Tensor1D } {
  return buildSupervisedBatch(store, supervisedPlans(store, settings, step));
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

/** One Adam step (cosine-decayed rate) from gradients; a new state (the old one and `grads` are left as is). */
export function pretrainUpdate(state: PretrainState, grads: Params, settings: PretrainSettings): PretrainState {
  const lr = settings.lr * scheduleFactor({ kind: 'cosine', steps: settings.steps }, state.step);
  const next = optimizerStep({ kind: 'adam', lr }, state.params, grads, state.optimizer);
  return { params: next.params, optimizer: next.state, step: state.step + 1 };
}

/** One Adam step on a batch in this thread; a new state (the old one is left as is) and the batch loss / accuracy. */
export function pretrainStep(
  net: ReturnType<typeof pretrainNetwork>,
  state: PretrainState,
  batch: { x: tf.Tensor4D; y: tf.Tensor1D },
  settings: PretrainSettings,
): { state: PretrainState; loss: number; accuracy: number } {
  const { grads, loss, accuracy } = supervisedGradient(net, state.params, batch);
  const next = pretrainUpdate(state, grads, settings);
  tf.dispose(Object.values(grads));
  return { state: next, loss, accuracy };
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
    sums =
      previous === null
        ? [...moments]
        : moments.map((m, i) => ({
            mean: tf.add(previous[i]!.mean, m.mean) as tf.Tensor1D,
            variance: tf.add(previous[i]!.variance, m.variance) as tf.Tensor1D,
          }));
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
