import assert from 'node:assert/strict';
import { test } from 'node:test';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '../tf.ts';
import { innerLoop } from '../adapt.ts';
import { taskLoss } from '../loss.ts';
import type { Params } from '../types.ts';
import { EPS, TOL, convCase, randomDirection } from './fixtures.ts';
import { centralDifference, dot, metaObjective, normalized } from './gradient-check.ts';
import { valueAndGradients } from './gradients.ts';
import { metaGradient } from './meta-gradient.ts';
import { disposeTask } from './synthetic-tasks.ts';

await tf.setBackend('wasm');

test('first-order meta-gradient equals the query gradient at θ′', () => {
  const { net, params, tasks } = convCase('maxpool', 16);
  tf.tidy(() => {
    const { grads } = metaGradient(net, params, tasks, { steps: 2, lr: 0.4, firstOrder: true });
    const names = Object.keys(params);
    const perTask = tasks.map((task) => {
      const { params: adapted } = innerLoop(net, params, { x: task.supportX, y: task.supportY }, { steps: 2, lr: 0.4 });
      return valueAndGradients(
        () => taskLoss(net.forward(adapted, task.queryX), task.queryY),
        names.map((n) => adapted[n]!),
      ).grads;
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
