/** Shared helpers of the ops tests (test-only): backends, cpu references, finite differences. */
import * as tf from '../tf.ts';

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

export const BACKENDS = ['wasm', 'cpu'] as const;

/** Runs `fn` on each backend; tensors made inside live only there (seeded random ops agree across backends). */
export async function eachBackend(fn: (backend: string) => void): Promise<void> {
  for (const backend of BACKENDS) {
    await tf.setBackend(backend);
    const count = tf.memory().numTensors;
    tf.tidy(() => fn(backend));
    check(tf.memory().numTensors === count, `${backend}: ${tf.memory().numTensors - count} tensors leaked`);
  }
  await tf.setBackend('wasm');
}

/** Values computed on the cpu backend with tfjs's built-in kernels and gradients. */
export async function onCpu(fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.ready();
  const previous = tf.getBackend();
  await tf.setBackend('cpu');
  const values = tf.tidy(() => fn().map((t) => t.dataSync() as Float32Array));
  await tf.setBackend(previous);
  return values;
}

export function assertClose(actual: tf.Tensor | Float32Array, expected: tf.Tensor | Float32Array, tol: number, what: string): void {
  const a = actual instanceof tf.Tensor ? actual.dataSync() : actual;
  const e = expected instanceof tf.Tensor ? expected.dataSync() : expected;
  check(a.length === e.length, `${what}: sizes differ (${a.length} vs ${e.length})`);
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    worst = Math.max(worst, Math.abs(a[i]! - e[i]!));
    scale = Math.max(scale, Math.abs(e[i]!));
  }
  check(worst <= tol * Math.max(scale, 1), `${what}: max |Δ| ${worst} (scale ${scale})`);
}

/** 0..n−1 in a seeded order (Fisher–Yates with an LCG). */
export function shuffled(n: number, seed: number): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  let state = seed;
  for (let i = n - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export const rnd = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);
export const scalarOf = (t: tf.Tensor) => t.dataSync()[0]!;

/** ⟨∇f(x), u⟩ vs the central difference of f along u, Richardson-extrapolated (error O(ε⁴) for smooth f). */
export function assertDirectional(f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, u: tf.Tensor, eps: number, what: string): void {
  const analytic = scalarOf(tf.sum(tf.mul(tf.grad(f)(x), u)));
  const central = (e: number) => (scalarOf(f(tf.add(x, tf.mul(u, e)))) - scalarOf(f(tf.sub(x, tf.mul(u, e))))) / (2 * e);
  const fd = (4 * central(eps / 2) - central(eps)) / 3;
  check(Math.abs(analytic - fd) <= 2e-3 * Math.max(Math.abs(fd), 1), `${what}: analytic ${analytic} vs finite differences ${fd}`);
}
