import assert from 'node:assert/strict';
import { test } from 'node:test';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '../tf.ts';
import { EPS, TOL, assertSecondOrderExact, checkMetaGradient, convCase, difference, sineCase } from './fixtures.ts';
import { centralDifference, dot, metaObjective, normalized } from './gradient-check.ts';
import { metaGradient } from './meta-gradient.ts';
import { disposeTask } from './synthetic-tasks.ts';

await tf.setBackend('wasm');

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
