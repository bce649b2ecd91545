/**
 * Test support for the training runtime's tests: tiny random image splits (train, validation,
 * test: 8 classes × 4 random 16×16 gray images each, seeded) with Omniglot-like preprocessing,
 * enough for imageSource to draw 5-way tasks.
 */
import { Rng, type ImageStore } from '../../core/tasks/index.ts';

/** 8 classes × 4 random 16×16 images. */
function store(seed: number): ImageStore {
  const rng = new Rng(seed);
  return {
    images: Float32Array.from({ length: 32 * 256 }, () => rng.uniform()),
    height: 16,
    width: 16,
    channels: 1,
    classes: Array.from({ length: 8 }, (_, c) => [0, 1, 2, 3].map((i) => c * 4 + i)),
  };
}

export const randomSplits = {
  train: store(1),
  validation: store(2),
  test: store(3),
  preprocessing: { size: 16, channels: 1 as const, invert: true, resize: 'area' as const, normalisation: { mean: 0, std: 1 } },
};
