import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { assertMatches, compareKernels, nativeCalls, skipReason, tf, useWasmWithFastKernels } from './test-support.ts';

before(async () => {
  if (!skipReason) await useWasmWithFastKernels();
});

const matMulCase = fc.record({
  m: fc.integer({ min: 1, max: 40 }),
  n: fc.integer({ min: 1, max: 40 }),
  k: fc.integer({ min: 1, max: 40 }),
  transposeA: fc.boolean(),
  transposeB: fc.boolean(),
  batch: fc.constantFrom<number[]>([], [3], [2, 3]),
  /** Which operand, if any, is broadcast along the batch (rank 2, or all-ones batch axes). */
  broadcast: fc.constantFrom('none', 'a-rank2', 'b-ones'),
  seed: fc.nat(1000),
});
type MatMulCase = typeof matMulCase extends fc.Arbitrary<infer T> ? T : never;

function operands(c: MatMulCase): [tf.Tensor, tf.Tensor] {
  const aBatch = c.broadcast === 'a-rank2' ? [] : c.batch;
  const bBatch = c.broadcast === 'b-ones' ? c.batch.map(() => 1) : c.batch;
  const aShape = [...aBatch, ...(c.transposeA ? [c.k, c.m] : [c.m, c.k])];
  const bShape = [...bBatch, ...(c.transposeB ? [c.n, c.k] : [c.k, c.n])];
  return [tf.randomUniform(aShape, -1, 1, 'float32', c.seed), tf.randomUniform(bShape, -1, 1, 'float32', c.seed + 1)];
}

test('BatchMatMul: native matches stock and cpu for every transpose, rank and batch broadcast', { skip: skipReason }, async () => {
  await fc.assert(
    fc.asyncProperty(matMulCase, async (c) => {
      const op = () => {
        const [a, b] = operands(c);
        return tf.matMul(a, b, c.transposeA, c.transposeB);
      };
      assertMatches(await compareKernels(op), `matMul ${JSON.stringify(c)}`);
    }),
    { numRuns: 60, seed: 99 },
  );
});

test('BatchMatMul: the im2col shape 19600×576 · 576×64 and its transposed forms', { skip: skipReason }, async () => {
  for (const [transposeA, transposeB] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    const c: MatMulCase = { m: 19600, n: 64, k: 576, transposeA, transposeB, batch: [], broadcast: 'none', seed: 5 };
    const op = () => {
      const [a, b] = operands(c);
      return tf.matMul(a, b, transposeA, transposeB);
    };
    assertMatches(await compareKernels(op, { cpu: false }), `matMul 19600×576×64 tA=${transposeA} tB=${transposeB}`);
  }
});

test('BatchMatMul: batches broadcast on both sides ([2,1]×[1,3]) go to the stock kernel', { skip: skipReason }, async () => {
  const op = () => tf.matMul(tf.randomUniform([2, 1, 4, 5], -1, 1, 'float32', 1), tf.randomUniform([1, 3, 5, 6], -1, 1, 'float32', 2));
  assertMatches(await compareKernels(op), 'matMul [2,1]×[1,3]', false);
});

// The stock wasm kernel adds bias[min(i·N + j, N − 1)] on its transposed / batched path (every
// row after the first gets the last bias element), so there only the cpu backend is the reference.
const fusedCases: [MatMulCase, boolean][] = [
  [{ m: 17, n: 35, k: 9, transposeA: false, transposeB: false, batch: [], broadcast: 'none', seed: 8 }, true],
  [{ m: 17, n: 35, k: 9, transposeA: true, transposeB: false, batch: [2], broadcast: 'none', seed: 8 }, false],
];

test('_FusedMatMul: bias and every fused activation run natively', { skip: skipReason }, async () => {
  for (const [c, stockIsRight] of fusedCases) {
    for (const activation of ['linear', 'relu', 'relu6', 'leakyrelu', 'prelu', 'sigmoid', 'elu'] as const) {
      for (const withBias of [false, true]) {
        const op = () => {
          const [a, b] = operands(c);
          const bias = withBias ? tf.randomUniform([c.n], -1, 1, 'float32', 9) : undefined;
          const preluActivationWeights = activation === 'prelu' ? tf.randomUniform([c.n], 0, 1, 'float32', 10) : undefined;
          return tf.fused.matMul({
            a,
            b,
            transposeA: c.transposeA,
            transposeB: c.transposeB,
            bias,
            activation,
            preluActivationWeights,
            leakyreluAlpha: 0.3,
          });
        };
        const label = `fused matMul ${activation} bias ${withBias} ${JSON.stringify(c)}`;
        assertMatches(await compareKernels(op, { stock: stockIsRight || !withBias }), label);
      }
    }
  }
});

test('_FusedMatMul: a bias that is not per column is handed to the stock kernel (which rejects it)', { skip: skipReason }, () => {
  const before = nativeCalls.matmul;
  const a = tf.ones([3, 4]),
    b = tf.ones([4, 5]);
  assert.throws(() => tf.fused.matMul({ a, b, bias: tf.ones([3, 5]) }), /bias/i);
  assert.equal(nativeCalls.matmul, before);
  tf.dispose([a, b]);
});
