import assert from 'node:assert/strict';
import { test } from 'node:test';
import '@tensorflow/tfjs-backend-wasm';
import { innerLoop } from '../adapt.ts';
import { taskLoss } from '../loss.ts';
import { createNetwork } from '../nets/index.ts';
import * as tf from '../tf.ts';
import type { Network, NetworkSpec, Params, Task } from '../types.ts';
import { centralDifference, dot, metaObjective, normalized } from './gradient_check.ts';
import { valueAndGradients } from './gradients.ts';
import { type MetaGradientOptions, metaGradient } from './meta_gradient.ts';
import { disposeTask, randomImageTask, sineTask } from './synthetic_tasks.ts';

await tf.setBackend('wasm');

const EPS = 1e-3;
const TOL = 2e-2;

/**
 * A conv4 test point: bn.bias = 2 keeps the ReLU inputs away from the kink, so a finite
 * difference of the meta-objective does not straddle a jump of the inner gradient (a ReLU
 * net's inner gradient is discontinuous in θ); conv, batch norm, max-pool and cross-entropy
 * second derivatives are all still exercised.
 */
function convCase(variant: 'maxpool' | 'strided', size: number) {
  const spec: NetworkSpec = { kind: 'conv4', variant, inputSize: size, channels: 1, filters: 4, outputs: 3, headInit: 'random' };
  const net = createNetwork(spec);
  const params = net.init(1);
  for (let i = 0; i < 4; i++) {
    params[`block${i}.bn.bias`]!.dispose();
    params[`block${i}.bn.bias`] = tf.fill([4], 2);
  }
  const tasks = [1, 2].map((seed) => randomImageTask({ ways: 3, shots: 2, queries: 2, size, channels: 1 }, seed));
  return { net, params, tasks };
}

function sineCase() {
  const net = createNetwork({ kind: 'mlp', inputs: 1, hidden: [40, 40], outputs: 1 });
  return { net, params: net.init(1), tasks: [1, 2].map((seed) => sineTask({ support: 10, query: 10 }, seed)) };
}

function difference(a: Params, b: Params): Params {
  const out: Params = {};
  for (const name of Object.keys(a)) out[name] = tf.sub(a[name]!, b[name]!);
  return out;
}

function randomDirection(like: Params, seed: number): Params {
  const out: Params = {};
  Object.entries(like).forEach(([name, t], i) => (out[name] = tf.randomNormal(t.shape, 0, 1, 'float32', seed + i)));
  return out;
}

/** Directional derivatives of the second- and first-order meta-gradients vs finite differences. */
function checkMetaGradient(net: Network, params: Params, tasks: Task[], options: MetaGradientOptions) {
  return tf.tidy(() => {
    const second = metaGradient(net, params, tasks, options);
    const first = metaGradient(net, params, tasks, { ...options, firstOrder: true });
    const objective = (p: Params) => metaObjective(net, p, tasks, options);
    const along = (raw: Params) => {
      const u = normalized(raw);
      return { second: dot(second.grads, u), first: dot(first.grads, u), fd: centralDifference(objective, params, u, EPS) };
    };
    return {
      disagreement: along(difference(second.grads, first.grads)),
      random: along(randomDirection(params, 11)),
      norm: Math.sqrt(dot(second.grads, second.grads)),
    };
  });
}

function assertSecondOrderExact(check: ReturnType<typeof checkMetaGradient>): void {
  const { disagreement: d, random: r, norm } = check;
  assert.ok(Math.abs(d.second - d.fd) < TOL * Math.abs(d.fd), `along (so − fo): second order ${d.second} vs finite differences ${d.fd}`);
  assert.ok(Math.abs(d.first - d.fd) > 10 * TOL * Math.abs(d.fd), `first order ${d.first} should miss ${d.fd} (else the check is blind)`);
  assert.ok(Math.abs(r.second - r.fd) < TOL * norm, `random direction: second order ${r.second} vs finite differences ${r.fd} (|g| ${norm})`);
}

test('second-order meta-gradient equals finite differences: conv4 strided 8×8, 2 inner steps', () => {
  const { net, params, tasks } = convCase('strided', 8);
  assertSecondOrderExact(checkMetaGradient(net, params, tasks, { steps: 2, lr: 0.4 }));
  tf.dispose(Object.values(params));
  tasks.forEach(disposeTask);
});

test('second-order meta-gradient equals finite differences: conv4 max-pool 16×16', () => {
  const { net, params, tasks } = convCase('maxpool', 16);
  assertSecondOrderExact(checkMetaGradient(net, params, tasks, { steps: 1, lr: 0.4 }));
  tf.dispose(Object.values(params));
  tasks.forEach(disposeTask);
});

test('second-order meta-gradient equals finite differences: MLP 1-40-40-1 on sine tasks', () => {
  const { net, params, tasks } = sineCase();
  assertSecondOrderExact(checkMetaGradient(net, params, tasks, { steps: 2, lr: 0.05 }));
  tf.dispose(Object.values(params));
  tasks.forEach(disposeTask);
});

test('head-only (ANIL) meta-gradient equals finite differences', () => {
  const { net, params, tasks } = convCase('maxpool', 16);
  assertSecondOrderExact(checkMetaGradient(net, params, tasks, { steps: 2, lr: 0.4, only: net.headNames }));
  tf.dispose(Object.values(params));
  tasks.forEach(disposeTask);
});

test('tf.losses.softmaxCrossEntropy gives a wrong second-order meta-gradient (pitfall pinned)', () => {
  const { net, params, tasks } = convCase('strided', 8);
  const builtin = (o: tf.Tensor2D, y: tf.Tensor1D | tf.Tensor2D): tf.Scalar =>
    tf.losses.softmaxCrossEntropy(tf.oneHot(tf.cast(y as tf.Tensor1D, 'int32'), o.shape[1]), o) as tf.Scalar;
  tf.tidy(() => {
    const ours = metaGradient(net, params, tasks, { steps: 1, lr: 0.4 });
    const theirs = metaGradient(net, params, tasks, { steps: 1, lr: 0.4, loss: builtin });
    const u = normalized(difference(theirs.grads, ours.grads));
    const fd = centralDifference((p) => metaObjective(net, p, tasks, { steps: 1, lr: 0.4, loss: builtin }), params, u, EPS);
    assert.ok(Math.abs(dot(ours.grads, u) - fd) < TOL * Math.abs(fd), `ours ${dot(ours.grads, u)} vs finite differences ${fd}`);
    assert.ok(Math.abs(dot(theirs.grads, u) - fd) > 0.2 * Math.abs(fd), `built-in ${dot(theirs.grads, u)} unexpectedly matches ${fd}`);
  });
  tf.dispose(Object.values(params));
  tasks.forEach(disposeTask);
});

test('first-order meta-gradient equals the query gradient at θ′', () => {
  const { net, params, tasks } = convCase('maxpool', 16);
  tf.tidy(() => {
    const { grads } = metaGradient(net, params, tasks, { steps: 2, lr: 0.4, firstOrder: true });
    const names = Object.keys(params);
    const perTask = tasks.map((task) => {
      const { params: adapted } = innerLoop(net, params, { x: task.supportX, y: task.supportY }, { steps: 2, lr: 0.4 });
      return valueAndGradients(() => taskLoss(net.forward(adapted, task.queryX), task.queryY), names.map((n) => adapted[n]!)).grads;
    });
    names.forEach((name, i) => {
      const expected = tf.div(tf.add(perTask[0]![i]!, perTask[1]![i]!), 2);
      const err = tf.max(tf.abs(tf.sub(grads[name]!, expected))).dataSync()[0]!;
      const scale = tf.max(tf.abs(expected)).dataSync()[0]!;
      assert.ok(err <= 1e-4 * scale + 1e-7, `${name}: max |Δ| ${err} (scale ${scale})`);
    });
  });
  tf.dispose(Object.values(params));
  tasks.forEach(disposeTask);
});

test('learned per-step and per-parameter inner rates get exact meta-gradients', () => {
  const { net, params, tasks } = convCase('strided', 8);
  const names = Object.keys(params);
  const perStep: Params = Object.fromEntries(names.map((n, i) => [n, tf.tensor1d([0.3 + 0.01 * i, 0.2])]));
  const perParameter: Params = Object.fromEntries(names.map((n) => [n, tf.fill(params[n]!.shape, 0.25)]));
  for (const [label, rates, wrap] of [
    ['perStep', perStep, (r: Params) => ({ perStep: r })],
    ['perParameter', perParameter, (r: Params) => ({ perParameter: r })],
  ] as const) {
    tf.tidy(() => {
      const { rateGrads } = metaGradient(net, params, tasks, { steps: 2, lr: wrap(rates) });
      const u = normalized(randomDirection(rates, 5));
      const fd = centralDifference((r) => metaObjective(net, params, tasks, { steps: 2, lr: wrap(r) }), rates, u, EPS);
      const norm = Math.sqrt(dot(rateGrads, rateGrads));
      assert.ok(norm > 0, `${label}: rate gradients are zero`);
      assert.ok(Math.abs(dot(rateGrads, u) - fd) < TOL * norm, `${label}: ${dot(rateGrads, u)} vs finite differences ${fd}`);
    });
  }
  tf.dispose([...Object.values(params), ...Object.values(perStep), ...Object.values(perParameter)]);
  tasks.forEach(disposeTask);
});

test('metaGradient leaves no tensors behind and never changes θ', () => {
  const { net, params, tasks } = convCase('maxpool', 16);
  const before = Object.fromEntries(Object.entries(params).map(([n, t]) => [n, t.dataSync().slice()]));
  const run = () => {
    const result = metaGradient(net, params, tasks, { steps: 2, lr: 0.4 });
    tf.dispose(Object.values(result.grads));
  };
  run();
  const count = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) run();
  assert.equal(tf.memory().numTensors, count);
  for (const [name, t] of Object.entries(params)) assert.deepEqual(t.dataSync(), before[name], `${name} changed`);
  tf.dispose(Object.values(params));
  tasks.forEach(disposeTask);
});
