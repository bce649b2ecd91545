import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { DEFAULT_ADDON_PATH } from './addon.ts';
import { FUSED_CONV_POOL, InvalidThreadCountError, kernelThreads, setKernelThreads } from './index.ts';
import { nativeCalls, skipReason, tf, useWasmWithFastKernels } from './test-support.ts';

before(async () => {
  if (!skipReason) await useWasmWithFastKernels();
});

const values = (t: tf.Tensor) => Array.from(t.dataSync());

/** Runs f on `count` kernel threads, then restores the setting. */
function onThreads<T>(count: number, f: () => T): T {
  const previous = setKernelThreads(count);
  try {
    return f();
  } finally {
    setKernelThreads(previous);
  }
}

test('conv2d and matMul on 2 and 3 threads give bitwise the results of 1 thread (row shares, same arithmetic per row)', { skip: skipReason }, () => {
  tf.tidy(() => {
    // 2·(3·14·14)·64·576 ≈ 43 MFLOP: worth several threads; odd sizes exercise uneven shares.
    const x = tf.randomNormal([3, 14, 14, 64], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 64, 64], 0, 0.1, 'float32', 2) as tf.Tensor4D;
    const a = tf.randomNormal([517, 300], 0, 1, 'float32', 3) as tf.Tensor2D;
    const b = tf.randomNormal([300, 77], 0, 1, 'float32', 4) as tf.Tensor2D;
    const run = () => [tf.conv2d(x, w, 1, 'same'), tf.conv2d(x, w, 2, 'same'), tf.matMul(a, b), tf.matMul(b, a, true, true)];
    const calls = nativeCalls.conv2d + nativeCalls.matmul;
    const one = onThreads(1, run).map(values);
    assert.ok(nativeCalls.conv2d + nativeCalls.matmul >= calls + 4, 'the native kernels ran');
    for (const count of [2, 3]) {
      const many = onThreads(count, run).map(values);
      many.forEach((v, i) => assert.deepEqual(v, one[i], `result ${i} on ${count} threads`));
    }
  });
});

test('JavaScript threads calling 2–3-thread kernels at once (one on the kept helpers, the others on threads of their own) get bitwise the 1-thread products', {
  skip: skipReason,
}, async () => {
  // Each worker loads the addon and runs the same 517×300 · 300×77 product (~24 MFLOP) 40 times on
  // 1, 2 and 3 threads while the others do the same: the helpers serve one caller at a time.
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const addon = require(workerData.addon);
    const a = new Float32Array(517 * 300).map((_, i) => Math.sin(i * 0.37));
    const b = new Float32Array(300 * 77).map((_, i) => Math.cos(i * 0.11));
    const dims = new Int32Array([1, 517, 77, 300, 0, 0, 1, 1]);
    const product = (threads) => { const out = new Float32Array(517 * 77); addon.matmul(a, b, out, null, dims, 0, 0, threads); return out; };
    const one = product(1);
    let same = true;
    for (let i = 0; i < 40 && same; i++) for (const threads of [2, 3]) same &&= Buffer.from(product(threads).buffer).equals(Buffer.from(one.buffer));
    parentPort.postMessage(same);`;
  const results = await Promise.all(
    [0, 1, 2].map(
      () =>
        new Promise<boolean>((resolve, reject) => {
          const worker = new Worker(source, { eval: true, workerData: { addon: DEFAULT_ADDON_PATH } });
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    ),
  );
  assert.deepEqual(results, [true, true, true]);
});

test('the fused conv + bias + ReLU + 2×2 max-pool kernel equals maxPool(relu(conv + bias)), odd sizes floored', { skip: skipReason }, () => {
  tf.tidy(() => {
    // the last case runs in 3 chunks of images (10, 10, 5: the kernel's ~2 MiB buffer holds 10 of 28×28×64)
    for (const [size, stride, threads, batch, outC] of [
      [7, 1, 1, 5, 8],
      [14, 1, 2, 5, 8],
      [28, 1, 1, 5, 8],
      [9, 2, 2, 5, 8],
      [28, 1, 2, 25, 64],
    ] as const) {
      const x = tf.randomNormal([batch, size, size, 3], 0, 1, 'float32', size) as tf.Tensor4D;
      const filter = tf.randomNormal([3, 3, 3, outC], 0, 0.5, 'float32', 7) as tf.Tensor4D;
      const bias = tf.randomNormal([outC], 0, 0.5, 'float32', 8) as tf.Tensor1D;
      const pad = [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ] as [[0, 0], [number, number], [number, number], [0, 0]];
      const expected = tf.maxPool(tf.relu(tf.add(tf.conv2d(x, filter, stride, pad), bias)) as tf.Tensor4D, 2, 2, 'valid');
      const got = onThreads(threads, () =>
        tf.engine().runKernel<tf.Tensor4D>(FUSED_CONV_POOL, { x, filter, bias }, { strides: stride, pad, activation: 'relu' }),
      );
      assert.deepEqual(got.shape, expected.shape);
      const diff = tf.max(tf.abs(tf.sub(got, expected))).dataSync()[0]!;
      assert.ok(diff < 1e-5, `size ${size} stride ${stride}: difference ${diff}`);
    }
  });
});

test('setKernelThreads checks its argument and returns the previous count', () => {
  const previous = kernelThreads();
  assert.equal(setKernelThreads(2), previous);
  assert.equal(setKernelThreads(previous), 2);
  assert.throws(() => setKernelThreads(0), InvalidThreadCountError);
  assert.throws(() => setKernelThreads(1.5), InvalidThreadCountError);
  assert.equal(kernelThreads(), previous);
});

test('Identity shares the data (no copy): a clone outlives its source, and the data is freed with the last of them', { skip: skipReason }, () => {
  const before = tf.memory();
  const a = tf.tensor2d([
    [1, 2],
    [3, 4],
  ]);
  const b = tf.clone(a);
  assert.equal(tf.memory().numDataBuffers, before.numDataBuffers + 1, 'one buffer for both');
  a.dispose();
  assert.deepEqual(Array.from(b.dataSync()), [1, 2, 3, 4]);
  b.dispose();
  assert.equal(tf.memory().numDataBuffers, before.numDataBuffers);
  assert.equal(tf.memory().numBytes, before.numBytes);
});
