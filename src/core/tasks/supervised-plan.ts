/**
 * One example of a supervised (pre-training) batch as a plan: which image, turned by how many
 * quarter turns, its class label, and the seed of its augmentation (null: none). Plain data, so
 * that a batch can be split between threads that share the image store.
 */
import * as tf from '../tf.ts';
import { augmentImage, LIGHT_AUGMENTATION } from './augment.ts';
import { copyRotatedImage, imageSize, type ImageStore, type QuarterTurns } from './image-store.ts';
import { Rng } from './rng.ts';

export interface SupervisedPlan {
  readonly kind: 'supervised';
  readonly image: number;
  readonly turns: QuarterTurns;
  readonly label: number;
  readonly augment: number | null;
}

/** The images (rotated, augmented as planned) and labels of supervised plans. */
export function buildSupervisedBatch(store: ImageStore, plans: readonly SupervisedPlan[]): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const size = imageSize(store);
  const xs = new Float32Array(plans.length * size);
  const scratch = new Float32Array(size);
  plans.forEach((plan, b) => {
    if (plan.augment === null) return copyRotatedImage(store, plan.image, plan.turns, xs, b * size);
    copyRotatedImage(store, plan.image, plan.turns, scratch, 0);
    augmentImage(scratch, store.height, store.channels, LIGHT_AUGMENTATION, new Rng(plan.augment), xs, b * size);
  });
  return {
    x: tf.tensor4d(xs, [plans.length, store.height, store.width, store.channels]),
    y: tf.tensor1d(
      Int32Array.from(plans, (p) => p.label),
      'int32',
    ),
  };
}
