import assert from 'node:assert/strict';
import { test } from 'node:test';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '../tf.ts';
import { adamInit, adamStep } from './adam.ts';
import { optimizerInit, optimizerStep } from './optimizer.ts';
import { sgdStep } from './sgd.ts';

await tf.setBackend('wasm');

/** torch.optim.Adam in float64, for reference. */
function referenceAdam(p: number[], grads: number[][], lr: number, b1 = 0.9, b2 = 0.999, eps = 1e-8): number[] {
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  const out = [...p];
  grads.forEach((g, step) => {
    const t = step + 1;
    out.forEach((_, i) => {
      m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
      v[i] = b2 * v[i]! + (1 - b2) * g[i]! ** 2;
      out[i] = out[i]! - (lr * (m[i]! / (1 - b1 ** t))) / (Math.sqrt(v[i]! / (1 - b2 ** t)) + eps);
    });
  });
  return out;
}

test('adamStep matches torch.optim.Adam and leaves its inputs alone', () => {
  const grads = [
    [0.5, -0.1, 1e-6],
    [0.3, 0.2, -2e-6],
    [-0.4, 0.05, 0],
  ];
  let params = { w: tf.tensor1d([1, -2, 0.5]) };
  let state = adamInit(params);
  for (const g of grads) {
    const gradient = { w: tf.tensor1d(g) };
    const next = adamStep(params, gradient, state, { lr: 0.01 });
    assert.equal(params.w.isDisposed, false);
    tf.dispose([params.w, gradient.w, ...Object.values(state.m), ...Object.values(state.v)]);
    params = next.params as { w: tf.Tensor1D };
    state = next.state;
  }
  const expected = referenceAdam([1, -2, 0.5], grads, 0.01);
  Array.from(params.w.dataSync()).forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-6, `${i}: ${v} vs ${expected[i]}`));
  assert.equal(state.t, 3);
  tf.dispose([params.w, ...Object.values(state.m), ...Object.values(state.v)]);
});

test('Adam minimises a quadratic; SGD steps; names without gradients are kept', () => {
  const target = tf.tensor1d([3, -1]);
  let params: Record<string, tf.Tensor> = { w: tf.zeros([2]), frozen: tf.ones([2]) };
  let state = optimizerInit({ kind: 'adam', lr: 0.1 }, params);
  const count = tf.memory().numTensors;
  for (let i = 0; i < 300; i++) {
    const grads = { w: tf.tidy(() => tf.mul(tf.sub(params.w!, target), 2)) };
    const next = optimizerStep({ kind: 'adam', lr: 0.1 }, params, grads, state);
    tf.dispose([...Object.values(params), ...Object.values(grads), ...Object.values(state.m), ...Object.values(state.v)]);
    params = next.params;
    state = next.state;
  }
  assert.equal(tf.memory().numTensors, count);
  assert.ok(tf.tidy(() => tf.max(tf.abs(tf.sub(params.w!, target))).dataSync()[0]!) < 1e-2);
  assert.deepEqual(Array.from(params.frozen!.dataSync()), [1, 1]);
  const stepped = sgdStep({ a: params.w! }, { a: tf.ones([2]) }, 0.5);
  assert.ok(Math.abs(stepped.a!.dataSync()[0]! - (params.w!.dataSync()[0]! - 0.5)) < 1e-6);
  tf.dispose([...Object.values(params), ...Object.values(state.m), ...Object.values(state.v), stepped.a!, target]);
});
