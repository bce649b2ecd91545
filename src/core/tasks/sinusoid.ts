/**
 * The sinusoid regression family of the MAML paper (Finn et al. 2017, §5.1): y = A·sin(x − φ),
 * amplitude A ~ U[0.1, 5], phase φ ~ U[0, π], inputs x ~ U[−5, 5] (as cbfinn/maml's data generator).
 * A task has K support and Q query points as [n, 1] tensors.
 */
import * as tf from '../tf.ts';
import type { Task } from '../types.ts';
import { Rng } from './rng.ts';
import { TaskShapeError } from './sampler.ts';

export interface SinusoidRanges {
  readonly amplitude: readonly [number, number];
  readonly phase: readonly [number, number];
  readonly input: readonly [number, number];
}

export const PAPER_SINUSOID_RANGES: SinusoidRanges = {
  amplitude: [0.1, 5.0],
  phase: [0, Math.PI],
  input: [-5.0, 5.0],
};

export interface SinusoidShape {
  readonly kShot: number;
  readonly queries: number;
  readonly ranges?: SinusoidRanges;
}

/** A task's function and points, without tensors. */
export interface SinusoidPlan {
  readonly amplitude: number;
  readonly phase: number;
  readonly supportX: Float32Array;
  readonly queryX: Float32Array;
}

export type SinusoidTask = Task<tf.Tensor2D> & { readonly supportY: tf.Tensor2D; readonly queryY: tf.Tensor2D };

export function sinusoid(amplitude: number, phase: number, x: number): number {
  return amplitude * Math.sin(x - phase);
}

function points(rng: Rng, count: number, [low, high]: readonly [number, number]): Float32Array {
  return Float32Array.from({ length: count }, () => rng.uniformIn(low, high));
}

export function drawSinusoid(shape: SinusoidShape, rng: Rng): SinusoidPlan {
  for (const [field, min] of [
    ['kShot', 1],
    ['queries', 0],
  ] as const) {
    const value = shape[field];
    if (!Number.isSafeInteger(value) || value < min) throw new TaskShapeError(field, value, `an integer ≥ ${min}`);
  }
  const ranges = shape.ranges ?? PAPER_SINUSOID_RANGES;
  const amplitude = rng.uniformIn(ranges.amplitude[0], ranges.amplitude[1]);
  const phase = rng.uniformIn(ranges.phase[0], ranges.phase[1]);
  return { amplitude, phase, supportX: points(rng, shape.kShot, ranges.input), queryX: points(rng, shape.queries, ranges.input) };
}

/** Tensors of a plan, each [n, 1] float32. The caller disposes them. */
export function buildSinusoidTask(plan: SinusoidPlan): SinusoidTask {
  const targets = (x: Float32Array) => x.map((v) => sinusoid(plan.amplitude, plan.phase, v));
  return {
    supportX: tf.tensor2d(plan.supportX, [plan.supportX.length, 1]),
    supportY: tf.tensor2d(targets(plan.supportX), [plan.supportX.length, 1]),
    queryX: tf.tensor2d(plan.queryX, [plan.queryX.length, 1]),
    queryY: tf.tensor2d(targets(plan.queryX), [plan.queryX.length, 1]),
  };
}

/** Task `index` of the stream named by `seed`. */
export function planSinusoidTask(shape: SinusoidShape, seed: number, index: number): SinusoidPlan {
  return drawSinusoid(shape, new Rng(seed).fork(index));
}

export class SinusoidSampler {
  private readonly root: Rng;

  constructor(
    readonly shape: SinusoidShape,
    readonly seed: number,
    public index = 0,
  ) {
    this.root = new Rng(seed);
    drawSinusoid(shape, new Rng(seed)); // validates the shape up front
  }

  nextPlan(): SinusoidPlan {
    return drawSinusoid(this.shape, this.root.fork(this.index++));
  }

  next(): SinusoidTask {
    return buildSinusoidTask(this.nextPlan());
  }
}
