import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import '@tensorflow/tfjs-backend-wasm';
import { EmptyMetaBatchError, type MetaGradientOptions, metaGradient } from '../../core/meta/index.ts';
import { createNetwork } from '../../core/nets/index.ts';
import { type ImageStore, Rng, buildImageTask, buildSinusoidTask, drawTaskPlans, planSinusoidTask } from '../../core/tasks/index.ts';
import * as tf from '../../core/tf.ts';
import type { NetworkSpec, Params, Task } from '../../core/types.ts';
import { InvalidThreadCountError, MetaGradientPool, PoolClosedError } from './meta-gradient-pool.ts';
import { type HostParams, LayoutMismatchError } from './packing.ts';
import { isShared, shareImageStore } from './shared-store.ts';
import { ThreadFailedError } from './thread-handle.ts';

await tf.setBackend('wasm');

const convSpec: NetworkSpec = { kind: 'conv4', variant: 'maxpool', inputSize: 16, channels: 1, filters: 4, outputs: 3, headInit: 'random' };
const mlpSpec: NetworkSpec = { kind: 'mlp', inputs: 1, hidden: [8, 8], outputs: 1 };

/** 6 classes × 6 random 16×16 images (values in [0, 1)). */
function randomStore(): ImageStore {
  const rng = new Rng(3);
  const images = Float32Array.from({ length: 36 * 256 }, () => rng.uniform());
  return { images, height: 16, width: 16, channels: 1, classes: Array.from({ length: 6 }, (_, c) => Array.from({ length: 6 }, (_, i) => c * 6 + i)) };
}

const host = (params: Params): HostParams => Object.fromEntries(Object.entries(params).map(([n, t]) => [n, t.dataSync() as Float32Array]));

/**
 * max over names of ‖a − b‖ / max(‖b‖, 1e-3·‖b‖ over all names): a conv bias before batch norm
 * has an exactly-zero gradient, whose float32 noise is compared on the global scale.
 */
function relativeError(a: HostParams, b: HostParams): number {
  assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort());
  const norms = (x: Float32Array, y?: Float32Array) => Math.sqrt(x.reduce((s, v, i) => s + (v - (y ? y[i]! : 0)) ** 2, 0));
  const global = Math.hypot(...Object.values(b).map((v) => norms(v)));
  assert.ok(global > 0, 'zero reference gradient');
  return Math.max(...Object.keys(b).map((name) => norms(a[name]!, b[name]!) / Math.max(norms(b[name]!), 1e-3 * global)));
}

/** The single-thread reference: the core's metaGradient on the same tasks, in this thread. */
function reference(spec: NetworkSpec, params: HostParams, tasks: Task[], options: MetaGradientOptions, rates: HostParams = {}) {
  const net = createNetwork(spec);
  const shaped = net.init(0);
  const theta: Params = Object.fromEntries(Object.entries(shaped).map(([n, t]) => [n, tf.tensor(params[n]!, t.shape)]));
  tf.dispose(Object.values(shaped));
  const rateTensors: Params = Object.fromEntries(
    Object.entries(rates).map(([n, r]) => [n, tf.tensor(r, typeof options.lr === 'object' && 'perStep' in options.lr ? [r.length] : theta[n]!.shape)]),
  );
  const lr = typeof options.lr === 'number' ? options.lr : 'perStep' in options.lr ? { perStep: rateTensors } : { perParameter: rateTensors };
  const result = metaGradient(net, theta, tasks, { ...options, lr });
  const out = { grads: host(result.grads), rateGrads: host(result.rateGrads), loss: result.loss, accuracy: result.accuracy };
  tf.dispose([...Object.values(theta), ...Object.values(rateTensors), ...Object.values(result.grads), ...Object.values(result.rateGrads)]);
  tasks.forEach((t) => tf.dispose([t.supportX, t.supportY, t.queryX, t.queryY]));
  return out;
}

const store = randomStore();
const convPool = await MetaGradientPool.start({ threads: 2, spec: convSpec, algorithmOptions: { steps: 1, lr: 0.4 }, store });
after(() => convPool.close());
const convParams = (() => {
  const params = createNetwork(convSpec).init(1);
  const values = host(params);
  tf.dispose(Object.values(params));
  return values;
})();

test('second-order conv4 meta-gradient on 2 threads equals the single-thread metaGradient', async () => {
  assert.equal(convPool.backend.name, 'wasm');
  const plans = drawTaskPlans(store, { nWay: 3, kShot: 1, queries: 2 }, 11, 5); // 3 + 2 tasks: weighting matters
  const pooled = await convPool.metaGradient(convParams, plans);
  const single = reference(
    convSpec,
    convParams,
    plans.map((p) => buildImageTask(store, p)),
    { steps: 1, lr: 0.4 },
  );
  const error = relativeError(pooled.grads, single.grads);
  assert.ok(error < 1e-4, `relative error ${error}`);
  assert.ok(Math.abs(pooled.loss - single.loss) < 1e-5 * Math.abs(single.loss), `loss ${pooled.loss} vs ${single.loss}`);
  assert.ok(Math.abs(pooled.accuracy! - single.accuracy!) < 1e-6);
  assert.equal(pooled.tasks, 5);
  assert.equal(pooled.threadMs.length, 2);
  assert.ok(
    pooled.threadMs.every((ms) => ms > 0),
    `thread times ${pooled.threadMs}`,
  );
  assert.deepEqual(pooled.rateGrads, {});
});

test('threads leak no tensors over repeated steps, and θ arrays are not changed', async () => {
  const plans = drawTaskPlans(store, { nWay: 3, kShot: 1, queries: 2 }, 12, 4);
  const before = Object.fromEntries(Object.entries(convParams).map(([n, v]) => [n, v.slice()]));
  await convPool.metaGradient(convParams, plans);
  const baseline = await convPool.tensorCounts();
  for (let i = 0; i < 3; i++) await convPool.metaGradient(convParams, plans, { firstOrder: i % 2 === 0 });
  assert.deepEqual(await convPool.tensorCounts(), baseline);
  assert.deepEqual(convParams, before);
});

test('a step that fails in a thread rejects with the thread error, and the pool goes on', async () => {
  const plans = drawTaskPlans(store, { nWay: 3, kShot: 1, queries: 2 }, 13, 2);
  await assert.rejects(
    convPool.metaGradient(convParams, plans, { stepWeights: [0.5, 0.5] }),
    (e: unknown) => e instanceof ThreadFailedError && e.errorName === 'StepWeightsError',
  );
  const rest: HostParams = { ...convParams };
  delete rest['head.bias'];
  await assert.rejects(convPool.metaGradient(rest, plans), (e: unknown) => e instanceof LayoutMismatchError && e.missing.join() === 'head.bias');
  await assert.rejects(convPool.metaGradient(convParams, []), EmptyMetaBatchError);
  const ok = await convPool.metaGradient(convParams, plans);
  assert.ok(Number.isFinite(ok.loss));
});

test('Meta-SGD (per-parameter rates) on the MLP with sinusoid plans: θ and rate gradients match', async () => {
  const pool = await MetaGradientPool.start({ threads: 2, spec: mlpSpec, algorithmOptions: { steps: 2, lr: 'perParameter' } });
  try {
    const net = createNetwork(mlpSpec);
    const params = net.init(4);
    const theta = host(params);
    const rates = Object.fromEntries(Object.entries(theta).map(([n, v]) => [n, v.map((_, i) => 0.01 + 0.001 * (i % 7))]));
    tf.dispose(Object.values(params));
    const plans = Array.from({ length: 3 }, (_, i) => planSinusoidTask({ kShot: 5, queries: 5 }, 9, i));
    const pooled = await pool.metaGradient(theta, plans, { rates });
    const single = reference(mlpSpec, theta, plans.map(buildSinusoidTask), { steps: 2, lr: { perParameter: {} } }, rates);
    assert.ok(relativeError(pooled.grads, single.grads) < 1e-4, `θ: ${relativeError(pooled.grads, single.grads)}`);
    assert.ok(relativeError(pooled.rateGrads, single.rateGrads) < 1e-4, `rates: ${relativeError(pooled.rateGrads, single.rateGrads)}`);
    assert.equal(pooled.accuracy, null);
    const imagePlan = drawTaskPlans(store, { nWay: 2, kShot: 1, queries: 1 }, 1, 1);
    await assert.rejects(pool.metaGradient(theta, imagePlan, { rates }), (e: unknown) => e instanceof ThreadFailedError && e.errorName === 'NoImageStoreError');
  } finally {
    assert.deepEqual(await pool.close(), [0, 0], 'threads exit cleanly');
  }
  await assert.rejects(pool.metaGradient({}, []), PoolClosedError);
});

test('image stores are moved into shared memory once; thread counts are checked', async () => {
  assert.ok(!isShared(store.images));
  const shared = shareImageStore(store);
  assert.ok(isShared(shared.images));
  assert.deepEqual(shared.images, store.images);
  assert.deepEqual(shared.classes, store.classes);
  assert.equal(shareImageStore(shared).images, shared.images, 'an already shared store is not copied');
  await assert.rejects(MetaGradientPool.start({ threads: 0, spec: mlpSpec, algorithmOptions: { steps: 1, lr: 0.1 } }), InvalidThreadCountError);
});
