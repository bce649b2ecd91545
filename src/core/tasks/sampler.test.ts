import { test } from 'node:test';
import assert from 'node:assert/strict';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '../tf.ts';
import { copyRotatedImage, ImageStoreError, validateImageStore, type ImageStore } from './image-store.ts';
import { buildImageTask, drawTaskPlans, NotEnoughClassesError, NotEnoughImagesError, planTask, TaskSampler, TaskShapeError, type TaskPlan } from './sampler.ts';

await tf.setBackend('wasm');

/** 6 classes × 5 images of 3×3×1; pixel p of image i is i·10 + p, so every image is recognisable. */
function makeStore(classCount = 6, perClass = 5): ImageStore {
  const count = classCount * perClass;
  const images = Float32Array.from({ length: count * 9 }, (_, k) => Math.floor(k / 9) * 10 + (k % 9));
  const classes = Array.from({ length: classCount }, (_, c) => Array.from({ length: perClass }, (_, i) => c * perClass + i));
  return validateImageStore({ images, height: 3, width: 3, channels: 1, classes });
}

test('copyRotatedImage follows numpy rot90 (counter-clockwise)', () => {
  const store = makeStore(1, 1); // image 0 = [[0,1,2],[3,4,5],[6,7,8]]
  const rotated = (turns: 0 | 1 | 2 | 3) => {
    const out = new Float32Array(9);
    copyRotatedImage(store, 0, turns, out, 0);
    return [...out];
  };
  assert.deepEqual(rotated(0), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(rotated(1), [2, 5, 8, 1, 4, 7, 0, 3, 6]); // np.rot90(a, 1)
  assert.deepEqual(rotated(2), [8, 7, 6, 5, 4, 3, 2, 1, 0]);
  assert.deepEqual(rotated(3), [6, 3, 0, 7, 4, 1, 8, 5, 2]);
});

test('plans are deterministic per (seed, index) and well formed', () => {
  const store = makeStore();
  const shape = { nWay: 3, kShot: 2, queries: 3 };
  assert.deepEqual(planTask(store, shape, 11, 4), planTask(store, shape, 11, 4));
  assert.notDeepEqual(planTask(store, shape, 11, 4), planTask(store, shape, 11, 5));
  assert.notDeepEqual(planTask(store, shape, 11, 4), planTask(store, shape, 12, 4));
  const plans = drawTaskPlans(store, shape, 11, 40);
  const sampler = new TaskSampler(store, shape, 11);
  for (const [i, plan] of plans.entries()) {
    assert.deepEqual(sampler.nextPlan(), plan);
    assert.deepEqual(planTask(store, shape, 11, i), plan);
    assert.equal(new Set(plan.classes.map((c) => c.baseClass)).size, 3);
    for (const c of plan.classes) {
      const members = new Set(store.classes[c.baseClass] as number[]);
      const all = [...c.support, ...c.query];
      assert.equal(c.support.length, 2);
      assert.equal(c.query.length, 3);
      assert.equal(new Set(all).size, 5, 'support and query images are distinct');
      assert.ok(all.every((i) => members.has(i)));
    }
  }
  const sortedCount = plans.filter((p) => p.classes.every((c, i, a) => i === 0 || a[i - 1]!.baseClass < c.baseClass)).length;
  assert.ok(sortedCount < 20, 'label order is shuffled per task');
  const resumed = new TaskSampler(store, shape, 11, 17);
  assert.deepEqual(resumed.nextPlan(), plans[17]);
});

test('buildImageTask copies the planned images with int32 labels 0..N−1 and leaks nothing', async () => {
  const store = makeStore();
  const before = tf.memory().numTensors;
  const plan: TaskPlan = planTask(store, { nWay: 4, kShot: 1, queries: 2 }, 3, 0);
  const task = buildImageTask(store, plan);
  assert.deepEqual(task.supportX.shape, [4, 3, 3, 1]);
  assert.deepEqual(task.queryX.shape, [8, 3, 3, 1]);
  assert.equal(task.supportY.dtype, 'int32');
  assert.deepEqual([...(await task.supportY.data())], [0, 1, 2, 3]);
  assert.deepEqual([...(await task.queryY.data())], [0, 0, 1, 1, 2, 2, 3, 3]);
  const queryPixels = await task.queryX.data();
  plan.classes.forEach((c, label) => {
    c.query.forEach((image, j) => assert.equal(queryPixels[(label * 2 + j) * 9], image * 10));
  });
  tf.dispose([task.supportX, task.supportY, task.queryX, task.queryY]);
  assert.equal(tf.memory().numTensors, before);
});

test('rotations make extra classes and rotate their images', async () => {
  const store = makeStore(2, 5);
  const shape = { nWay: 8, kShot: 1, queries: 0, rotations: true };
  const plan = planTask(store, shape, 5, 0);
  const pairs = new Set(plan.classes.map((c) => `${c.baseClass}/${c.rotation}`));
  assert.equal(pairs.size, 8, 'all 2 × 4 (class, rotation) pairs');
  const task = buildImageTask(store, plan);
  const pixels = await task.supportX.data();
  plan.classes.forEach((c, label) => {
    const expected = new Float32Array(9);
    copyRotatedImage(store, c.support[0]!, c.rotation, expected, 0);
    assert.deepEqual([...pixels.subarray(label * 9, label * 9 + 9)], [...expected]);
  });
  tf.dispose([task.supportX, task.supportY, task.queryX, task.queryY]);
  assert.throws(() => planTask(store, { nWay: 9, kShot: 1, queries: 0, rotations: true }, 5, 0), NotEnoughClassesError);
  assert.throws(() => planTask(store, { nWay: 2, kShot: 1, queries: 0, rotations: [0, 5 as 1] }, 5, 0), TaskShapeError);
});

test('shape and store errors carry the actual values', () => {
  const store = makeStore();
  assert.throws(
    () => planTask(store, { nWay: 7, kShot: 1, queries: 1 }, 0, 0),
    (e: unknown) => e instanceof NotEnoughClassesError && e.required === 7 && e.available === 6,
  );
  assert.throws(
    () => planTask(store, { nWay: 2, kShot: 3, queries: 3 }, 0, 0),
    (e: unknown) => e instanceof NotEnoughImagesError && e.required === 6 && e.available === 5,
  );
  assert.throws(
    () => planTask(store, { nWay: 0, kShot: 1, queries: 1 }, 0, 0),
    (e: unknown) => e instanceof TaskShapeError && e.field === 'nWay',
  );
  const wide = { images: new Float32Array(12), height: 2, width: 3, channels: 2, classes: [[0], [1]] };
  assert.throws(() => planTask(wide, { nWay: 2, kShot: 1, queries: 0, rotations: true }, 0, 0), TaskShapeError);
  assert.doesNotThrow(() => planTask(wide, { nWay: 2, kShot: 1, queries: 0, rotations: [0, 2] }, 0, 0));
  assert.throws(
    () => validateImageStore({ ...wide, classes: [[0], [2]] }),
    (e: unknown) => e instanceof ImageStoreError && e.actual === 2,
  );
  assert.throws(() => validateImageStore({ ...wide, images: new Float32Array(13) }), ImageStoreError);
});
