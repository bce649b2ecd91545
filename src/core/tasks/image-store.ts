/**
 * An in-memory, class-indexed image store: every image of a data set in one Float32Array
 * ([count, height, width, channels], row-major, as tfjs's NHWC) plus, per class, the indices of
 * its images. Splits of one data set share the array and differ only in their class lists, so
 * building a task copies just the task's images.
 */

export interface ImageStore {
  readonly images: Float32Array;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** classes[c] = indices (into `images`) of the images of class c. */
  readonly classes: ReadonlyArray<ArrayLike<number>>;
  /** Optional human-readable class names, parallel to `classes` (e.g. "Latin/character03"). */
  readonly classNames?: readonly string[];
}

export class ImageStoreError extends Error {
  constructor(
    readonly reason: string,
    readonly actual: unknown,
  ) {
    super(`invalid image store: ${reason} (got ${JSON.stringify(actual)})`);
  }
}

export function imageSize(store: ImageStore): number {
  return store.height * store.width * store.channels;
}

export function imageCount(store: ImageStore): number {
  return store.images.length / imageSize(store);
}

/** Checks dimensions and that every class index points at an image; returns the store. */
export function validateImageStore<S extends ImageStore>(store: S): S {
  for (const [name, value] of [
    ['height', store.height],
    ['width', store.width],
    ['channels', store.channels],
  ] as const) {
    if (!Number.isInteger(value) || value <= 0) throw new ImageStoreError(`${name} must be a positive integer`, value);
  }
  const size = imageSize(store);
  if (store.images.length % size !== 0) {
    throw new ImageStoreError(`images.length is not a multiple of height·width·channels = ${size}`, store.images.length);
  }
  const count = store.images.length / size;
  store.classes.forEach((indices, c) => {
    for (let i = 0; i < indices.length; i++) {
      const index = indices[i]!;
      if (!Number.isInteger(index) || index < 0 || index >= count) {
        throw new ImageStoreError(`class ${c} refers to image ${index}, outside [0, ${count})`, index);
      }
    }
  });
  if (store.classNames !== undefined && store.classNames.length !== store.classes.length) {
    throw new ImageStoreError(`classNames has ${store.classNames.length} entries for ${store.classes.length} classes`, store.classNames.length);
  }
  return store;
}

export type QuarterTurns = 0 | 1 | 2 | 3;

/**
 * Copies image `index`, rotated counter-clockwise by `turns`·90° (numpy's rot90 convention),
 * into `out` at `offset`. Rotations by 90° or 270° need square images.
 */
export function copyRotatedImage(store: ImageStore, index: number, turns: QuarterTurns, out: Float32Array, offset: number): void {
  const { height: h, width: w, channels: ch } = store;
  const size = h * w * ch;
  const src = store.images.subarray(index * size, (index + 1) * size);
  if (turns === 0) {
    out.set(src, offset);
    return;
  }
  if (turns !== 2 && h !== w) throw new ImageStoreError('90° rotations need square images', [h, w]);
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      // source pixel shown at (r, c) after rotation
      const sr = turns === 1 ? c : turns === 2 ? h - 1 - r : h - 1 - c;
      const sc = turns === 1 ? w - 1 - r : turns === 2 ? w - 1 - c : r;
      const from = (sr * w + sc) * ch;
      const to = offset + (r * w + c) * ch;
      for (let k = 0; k < ch; k++) out[to + k] = src[from + k]!;
    }
  }
}
