import assert from 'node:assert/strict';
import { test } from 'node:test';
import '@tensorflow/tfjs-backend-wasm';
import { supervisedGradient } from '../../core/supervised.ts';
import { Rng, type ImageStore } from '../../core/tasks/index.ts';
import { buildSupervisedBatch } from '../../core/tasks/supervised-plan.ts';
import * as tf from '../../core/tf.ts';
import type { Params } from '../../core/types.ts';
import { MetaGradientPool } from '../parallel/index.ts';
import { freezeBody, preciseMoments, pretrainClasses, pretrainNetwork, supervisedBatch, supervisedPlans, type PretrainSettings } from './pretrain.ts';
import { conv4BufferNames } from '../../core/nets/conv4.ts';

await tf.setBackend('wasm');

/** 5 classes × 4 random 16×16 images. */
function store(): ImageStore {
  const rng = new Rng(11);
  return {
    images: Float32Array.from({ length: 20 * 256 }, () => rng.uniform()),
    height: 16,
    width: 16,
    channels: 1,
    classes: Array.from({ length: 5 }, (_, c) => [0, 1, 2, 3].map((i) => c * 4 + i)),
  };
}
const served = {
  kind: 'conv4',
  variant: 'strided',
  inputSize: 16,
  channels: 1,
  filters: 4,
  outputs: 10,
  headInit: 'prototype',
  normalization: 'frozen',
} as const;
const settings: PretrainSettings = { batchSize: 8, lr: 1e-3, steps: 10, augment: true, rotations: true, seed: 4 };
const hostOf = (params: Params) => Object.fromEntries(Object.entries(params).map(([n, t]) => [n, t.dataSync() as Float32Array]));

test('supervised batches: seeded by step, labels class·4 + turns, the same built from plans anywhere', () => {
  const s = store();
  const plans = supervisedPlans(s, settings, 3);
  assert.deepEqual(plans, supervisedPlans(s, settings, 3));
  assert.notDeepEqual(plans, supervisedPlans(s, settings, 4));
  for (const p of plans) assert.equal(p.label, Math.floor(p.label / 4) * 4 + p.turns);
  assert.ok(plans.every((p) => p.augment !== null));
  assert.equal(pretrainClasses(s, true), 20);
  const a = supervisedBatch(s, settings, 3);
  const b = buildSupervisedBatch(s, plans);
  assert.deepEqual(a.x.dataSync(), b.x.dataSync());
  assert.deepEqual(a.y.dataSync(), b.y.dataSync());
  tf.dispose([a.x, a.y, b.x, b.y]);
});

test('data-parallel pre-training: a 2-thread pool returns the mean of the two half-batch gradients', async () => {
  const s = store();
  const net = pretrainNetwork(served, pretrainClasses(s, true));
  const params = net.init(2);
  const plans = supervisedPlans(s, settings, 0);
  const pool = await MetaGradientPool.start({ threads: 2, spec: net.spec, algorithmOptions: { steps: 0, lr: 0 }, store: s });
  try {
    const result = await pool.metaGradient(hostOf(params), plans);
    const halves = [plans.slice(0, 4), plans.slice(4)].map((share) => {
      const batch = buildSupervisedBatch(s, share);
      const g = supervisedGradient(net, params, batch);
      tf.dispose([batch.x, batch.y]);
      return g;
    });
    for (const name of Object.keys(params)) {
      const expected = tf.tidy(() => tf.div(tf.add(halves[0]!.grads[name]!, halves[1]!.grads[name]!), 2).dataSync() as Float32Array);
      const got = result.grads[name]!;
      const scale = Math.max(1e-6, ...Array.from(expected, Math.abs));
      const diff = Math.max(...Array.from(got, (v, i) => Math.abs(v - expected[i]!)));
      assert.ok(diff <= 1e-4 * scale + 1e-7, `${name}: ${diff} (scale ${scale})`);
    }
    assert.ok(Math.abs(result.loss - (halves[0]!.loss + halves[1]!.loss) / 2) < 1e-5);
    halves.forEach((h) => tf.dispose(Object.values(h.grads)));
    const counts = await pool.tensorCounts();
    await pool.metaGradient(hostOf(params), supervisedPlans(s, settings, 1));
    assert.deepEqual(await pool.tensorCounts(), counts, 'no tensors left in the threads');
  } finally {
    await pool.close();
    tf.dispose(Object.values(params));
  }
});

test('precise moments and the frozen body: buffers from the population moments, no head', () => {
  const s = store();
  const net = pretrainNetwork(served, pretrainClasses(s, true));
  const params = net.init(5);
  const before = tf.memory().numTensors;
  const moments = preciseMoments(net, params, s, 1, 40, 20);
  const frozen = freezeBody(params, moments);
  assert.ok(!('head.weight' in frozen));
  for (const name of conv4BufferNames()) assert.ok(name in frozen, name);
  assert.deepEqual(frozen['block0.bn.running_mean']!.dataSync(), moments[0]!.mean.dataSync());
  tf.dispose([...Object.values(frozen), ...moments.flatMap((m) => [m.mean, m.variance])]);
  assert.equal(tf.memory().numTensors, before);
  tf.dispose(Object.values(params));
});
