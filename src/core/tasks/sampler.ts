/**
 * Seeded N-way K-shot task sampling over an ImageStore. A task is first drawn as a plan (image
 * indices, no tensors), which is cheap to keep in a fixed evaluation list; `buildImageTask` turns a
 * plan into tensors. Task i of a seed depends only on (seed, i): a sampler can resume at any index.
 */
import * as tf from '../tf.ts';
import type { ImageTask } from '../types.ts';
import { Rng } from './rng.ts';
import { copyRotatedImage, imageSize, validateImageStore, type ImageStore, type QuarterTurns } from './image-store.ts';

export interface TaskShape {
  readonly nWay: number;
  readonly kShot: number;
  /** Query images per class. */
  readonly queries: number;
  /**
   * Rotations by multiples of 90° as extra classes (a class = base class × rotation): `true` for
   * all four, or the list of quarter turns to use. Default: none.
   */
  readonly rotations?: boolean | readonly QuarterTurns[];
}

export interface TaskClass {
  /** Index into `store.classes`. */
  readonly baseClass: number;
  readonly rotation: QuarterTurns;
  /** K support then Q query image indices. */
  readonly support: readonly number[];
  readonly query: readonly number[];
}

/** One task as indices: label i is `classes[i]`. */
export interface TaskPlan {
  readonly classes: readonly TaskClass[];
}

export class TaskShapeError extends Error {
  constructor(
    readonly field: string,
    readonly actual: unknown,
    readonly expected: string,
  ) {
    super(`invalid task shape: ${field} = ${JSON.stringify(actual)}, expected ${expected}`);
  }
}

export class NotEnoughClassesError extends Error {
  constructor(
    readonly required: number,
    readonly available: number,
  ) {
    super(`an ${required}-way task needs ${required} classes; the store has ${available}`);
  }
}

export class NotEnoughImagesError extends Error {
  constructor(
    readonly baseClass: number,
    readonly required: number,
    readonly available: number,
  ) {
    super(`class ${baseClass} has ${available} images; K + Q = ${required} are needed`);
  }
}

function rotationsOf(shape: TaskShape): readonly QuarterTurns[] {
  const r = shape.rotations;
  if (r === undefined || r === false) return [0];
  if (r === true) return [0, 1, 2, 3];
  if (r.length === 0 || new Set(r).size !== r.length || r.some((t) => ![0, 1, 2, 3].includes(t))) {
    throw new TaskShapeError('rotations', r, 'distinct quarter turns from 0..3');
  }
  return r;
}

function checkShape(store: ImageStore, shape: TaskShape): readonly QuarterTurns[] {
  for (const [field, min] of [
    ['nWay', 1],
    ['kShot', 1],
    ['queries', 0],
  ] as const) {
    const value = shape[field];
    if (!Number.isSafeInteger(value) || value < min) throw new TaskShapeError(field, value, `an integer ≥ ${min}`);
  }
  const rotations = rotationsOf(shape);
  if (rotations.some((t) => t % 2 === 1) && store.height !== store.width) {
    throw new TaskShapeError('rotations', rotations, `only 0/2 for ${store.height}×${store.width} images`);
  }
  const available = store.classes.length * rotations.length;
  if (available < shape.nWay) throw new NotEnoughClassesError(shape.nWay, available);
  return rotations;
}

function draw(store: ImageStore, shape: TaskShape, rotations: readonly QuarterTurns[], rng: Rng): TaskPlan {
  const perClass = shape.kShot + shape.queries;
  const picks = rng.sample(store.classes.length * rotations.length, shape.nWay);
  const classes = picks.map((pick): TaskClass => {
    const baseClass = Math.floor(pick / rotations.length);
    const rotation = rotations[pick % rotations.length]!;
    const images = store.classes[baseClass]!;
    if (images.length < perClass) throw new NotEnoughImagesError(baseClass, perClass, images.length);
    const chosen = rng.sample(images.length, perClass).map((i) => images[i]!);
    return { baseClass, rotation, support: chosen.slice(0, shape.kShot), query: chosen.slice(shape.kShot) };
  });
  return { classes };
}

/** Task `index` of the stream named by `seed` (independent of every other index). */
export function planTask(store: ImageStore, shape: TaskShape, seed: number, index: number): TaskPlan {
  return draw(store, shape, checkShape(store, shape), new Rng(seed).fork(index));
}

/** A fixed list of `count` task plans (e.g. the evaluation tasks of a run): tasks 0..count−1 of `seed`. */
export function drawTaskPlans(store: ImageStore, shape: TaskShape, seed: number, count: number): TaskPlan[] {
  validateImageStore(store);
  const rotations = checkShape(store, shape);
  const root = new Rng(seed);
  return Array.from({ length: count }, (_, i) => draw(store, shape, rotations, root.fork(i)));
}

function gather(store: ImageStore, plan: TaskPlan, part: 'support' | 'query'): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const size = imageSize(store);
  const total = plan.classes.reduce((n, c) => n + c[part].length, 0);
  const pixels = new Float32Array(total * size);
  const labels = new Int32Array(total);
  let row = 0;
  plan.classes.forEach((taskClass, label) => {
    for (const index of taskClass[part]) {
      copyRotatedImage(store, index, taskClass.rotation, pixels, row * size);
      labels[row++] = label;
    }
  });
  return {
    x: tf.tensor4d(pixels, [total, store.height, store.width, store.channels], 'float32'),
    y: tf.tensor1d(labels, 'int32'),
  };
}

/** Tensors of a plan: labels 0..N−1 (int32) in class-major order. The caller disposes them. */
export function buildImageTask(store: ImageStore, plan: TaskPlan): ImageTask {
  const support = gather(store, plan, 'support');
  const query = gather(store, plan, 'query');
  return { supportX: support.x, supportY: support.y, queryX: query.x, queryY: query.y };
}

/** Endless seeded task stream; `next()` returns task `index` and advances. */
export class TaskSampler {
  private readonly rotations: readonly QuarterTurns[];
  private readonly root: Rng;

  constructor(
    readonly store: ImageStore,
    readonly shape: TaskShape,
    readonly seed: number,
    public index = 0,
  ) {
    validateImageStore(store);
    this.rotations = checkShape(store, shape);
    this.root = new Rng(seed);
  }

  nextPlan(): TaskPlan {
    return draw(this.store, this.shape, this.rotations, this.root.fork(this.index++));
  }

  next(): ImageTask {
    return buildImageTask(this.store, this.nextPlan());
  }
}
