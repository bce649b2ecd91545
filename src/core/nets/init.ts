import * as tf from '../tf.ts';

/** A small deterministic PRNG (mulberry32) so initialisation is reproducible from a seed on every backend. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
}

export function uniformTensor(rng: SeededRandom, shape: number[], bound: number): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = (2 * rng.next() - 1) * bound;
  return tf.tensor(values, shape, 'float32');
}

export function normalTensor(rng: SeededRandom, shape: number[], std: number): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = rng.normal() * std;
  return tf.tensor(values, shape, 'float32');
}

/** Xavier/Glorot uniform for a [kh,kw,in,out] conv filter (as cbfinn/maml and the PyTorch reference). */
export function xavierUniformConv(rng: SeededRandom, kernel: number, inChannels: number, outChannels: number): tf.Tensor {
  const fanIn = kernel * kernel * inChannels;
  const fanOut = kernel * kernel * outChannels;
  return uniformTensor(rng, [kernel, kernel, inChannels, outChannels], Math.sqrt(6 / (fanIn + fanOut)));
}
