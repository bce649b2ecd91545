import { test } from 'node:test';
import assert from 'node:assert/strict';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '../tf.ts';
import { buildSinusoidTask, planSinusoidTask, SinusoidSampler, sinusoid } from './sinusoid.ts';
import { TaskShapeError } from './sampler.ts';

await tf.setBackend('wasm');

test('sinusoid tasks follow y = A·sin(x − φ) with the paper ranges', async () => {
  const before = tf.memory().numTensors;
  const sampler = new SinusoidSampler({ kShot: 10, queries: 20 }, 9);
  for (let i = 0; i < 200; i++) {
    const plan = sampler.nextPlan();
    assert.ok(plan.amplitude >= 0.1 && plan.amplitude < 5);
    assert.ok(plan.phase >= 0 && plan.phase < Math.PI);
    assert.ok([...plan.supportX, ...plan.queryX].every((x) => x >= -5 && x <= 5));
  }
  const plan = planSinusoidTask({ kShot: 10, queries: 20 }, 9, 3);
  const task = buildSinusoidTask(plan);
  assert.deepEqual(task.supportX.shape, [10, 1]);
  assert.deepEqual(task.queryY.shape, [20, 1]);
  const [x, y] = [await task.queryX.data(), await task.queryY.data()];
  for (let i = 0; i < 20; i++) assert.ok(Math.abs(y[i]! - plan.amplitude * Math.sin(x[i]! - plan.phase)) < 1e-5);
  tf.dispose([task.supportX, task.supportY, task.queryX, task.queryY]);
  assert.equal(tf.memory().numTensors, before);
});

test('sinusoid plans are deterministic per (seed, index)', () => {
  const shape = { kShot: 5, queries: 5 };
  const sampler = new SinusoidSampler(shape, 4);
  sampler.nextPlan();
  assert.deepEqual(sampler.nextPlan(), planSinusoidTask(shape, 4, 1));
  assert.notDeepEqual(planSinusoidTask(shape, 4, 1), planSinusoidTask(shape, 4, 2));
  assert.equal(sinusoid(2, Math.PI / 2, Math.PI / 2), 0);
  assert.throws(
    () => new SinusoidSampler({ kShot: 0, queries: 5 }, 1),
    (e: unknown) => e instanceof TaskShapeError && e.actual === 0,
  );
});
