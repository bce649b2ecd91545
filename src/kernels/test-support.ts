/**
 * Test helpers: run an op with the fast kernels and again with the stock wasm kernels, counting
 * the native calls so a comparison can never silently be stock against stock.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { type AddonLoad, type KernelAddon, loadKernelAddon, registerFastKernels, unregisterFastKernels } from './index.ts';

export { tf };

const loaded = loadKernelAddon();
/** Why the comparison tests are skipped (addon not built), or false. */
export const skipReason: string | false = loaded.ok ? false : loaded.reason;

export const nativeCalls = { conv2d: 0, matmul: 0 };

function countingLoad(): AddonLoad {
  if (!loaded.ok) return loaded;
  const real: KernelAddon = loaded.addon;
  const counted: KernelAddon = {
    info: () => real.info(),
    conv2d: (...args) => (nativeCalls.conv2d++, real.conv2d(...args)),
    matmul: (...args) => (nativeCalls.matmul++, real.matmul(...args)),
    norm_relu_pool: (...args) => real.norm_relu_pool(...args),
    batch_norm: (...args) => real.batch_norm(...args),
    batch_norm_grad: (...args) => real.batch_norm_grad(...args),
    conv4_adapt: (...args) => real.conv4_adapt(...args),
    conv4_meta_gradient: (...args) => real.conv4_meta_gradient(...args),
    float16_add: (...args) => real.float16_add(...args),
    float16_sub: (...args) => real.float16_sub(...args),
    fold_batch_norm: (...args) => real.fold_batch_norm(...args),
  };
  return { ok: true, addon: counted };
}

export async function useWasmWithFastKernels(): Promise<void> {
  assert.ok(await tf.setBackend('wasm'), 'wasm backend unavailable');
  unregisterFastKernels(tf);
  const registration = registerFastKernels(tf, { load: countingLoad });
  assert.deepEqual(registration.registered.sort(), ['BatchMatMul', 'Conv2D', 'FusedConv2D', 'Identity', '_FusedMatMul']);
}

export interface Comparison {
  readonly fast: Float32Array[];
  /** The stock wasm kernels' result, when asked for. */
  readonly stock: Float32Array[] | undefined;
  /** TensorFlow.js's reference implementation (the pure-JS cpu backend), when asked for. */
  readonly cpu: Float32Array[] | undefined;
  /** Native calls made by the fast run. */
  readonly calls: number;
}

function values(op: () => tf.Tensor | tf.Tensor[]): Float32Array[] {
  const out = tf.tidy(op);
  const list = Array.isArray(out) ? out : [out];
  const data = list.map((t) => t.dataSync() as Float32Array);
  tf.dispose(list);
  return data;
}

export interface References {
  /** Also run the stock wasm kernels (default true; false where they reject or mis-compute the case). */
  readonly stock?: boolean;
  /** Also run the cpu backend (default true; false for shapes it takes seconds over). */
  readonly cpu?: boolean;
}

/** Runs `op` with the fast kernels and the chosen references; the fast kernels stay registered. */
export async function compareKernels(op: () => tf.Tensor | tf.Tensor[], refs: References = {}): Promise<Comparison> {
  const { stock = true, cpu = true } = refs;
  const before = nativeCalls.conv2d + nativeCalls.matmul;
  const fast = values(op);
  const calls = nativeCalls.conv2d + nativeCalls.matmul - before;
  let stockValues: Float32Array[] | undefined;
  if (stock) {
    unregisterFastKernels(tf);
    try {
      stockValues = values(op);
    } finally {
      registerFastKernels(tf, { load: countingLoad });
    }
  }
  if (!cpu) return { fast, stock: stockValues, cpu: undefined, calls };
  await tf.setBackend('cpu');
  try {
    return { fast, stock: stockValues, cpu: values(op), calls };
  } finally {
    await tf.setBackend('wasm');
  }
}

/** |a − e| ≤ tol · max(1, max|e|) elementwise (float32 summation-order error is far below). */
export function assertClose(actual: Float32Array, expected: Float32Array, label: string, tol = 1e-4): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  let scale = 1;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i]! - expected[i]!);
    if (!(diff <= tol * scale)) assert.fail(`${label}: element ${i}: ${actual[i]} vs ${expected[i]} (scale ${scale})`);
  }
}

/** The fast result matches the cpu reference and (when computed) the stock wasm kernels. */
export function assertMatches(result: Comparison, label: string, expectNative = true): void {
  if (expectNative) assert.ok(result.calls > 0, `${label}: no native call (the fast kernel delegated to stock)`);
  else assert.equal(result.calls, 0, `${label}: expected the stock kernel to serve this case`);
  for (const [name, reference] of [
    ['cpu', result.cpu],
    ['stock wasm', result.stock],
  ] as const) {
    if (!reference) continue;
    assert.equal(result.fast.length, reference.length, `${label}: number of outputs`);
    result.fast.forEach((v, i) => assertClose(v, reference[i]!, `${label} output ${i} vs ${name}`));
  }
}
