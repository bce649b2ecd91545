import { test } from 'node:test';
import assert from 'node:assert/strict';
import '@tensorflow/tfjs-backend-wasm';
import { evaluate } from './evaluate.ts';
import { createNetwork } from './nets/index.ts';
import { randomImageTask, sineTask } from './meta/synthetic-tasks.ts';
import * as tf from './tf.ts';
import type { Task } from './types.ts';

await tf.setBackend('wasm');

/** A task whose queries are its support images: adapting on the support must help on them. */
function selfTask(index: number): Task<tf.Tensor4D> {
  const t = randomImageTask({ ways: 3, shots: 2, queries: 1, size: 12, channels: 1 }, index);
  tf.dispose([t.queryX, t.queryY]);
  return { supportX: t.supportX, supportY: t.supportY, queryX: t.supportX.clone(), queryY: t.supportY.clone() };
}

test('classification: accuracy and loss with CIs, nothing leaked; more steps fit the support better', () => {
  const net = createNetwork({ kind: 'conv4', variant: 'strided', inputSize: 12, channels: 1, filters: 4, outputs: 3, headInit: 'random' });
  const params = net.init(0);
  const before = tf.memory().numTensors;
  const none = evaluate(net, params, 6, selfTask, { steps: 0, lr: 0.5 });
  const many = evaluate(net, params, 6, selfTask, { steps: 10, lr: 0.5 });
  assert.equal(tf.memory().numTensors, before);
  assert.ok(none.accuracy && many.accuracy);
  assert.equal(many.accuracy.n, 6);
  assert.ok(many.accuracy.mean > none.accuracy.mean, `${many.accuracy.mean} vs ${none.accuracy.mean}`);
  assert.ok(many.loss.mean < none.loss.mean);
  tf.dispose(Object.values(params));
});

test('regression: accuracy is null, loss is the query MSE', () => {
  const net = createNetwork({ kind: 'mlp', inputs: 1, hidden: [40, 40], outputs: 1 });
  const params = net.init(0);
  const before = tf.memory().numTensors;
  const result = evaluate(net, params, 4, (i) => sineTask({ support: 10, query: 10 }, i), { steps: 1, lr: 0.01 });
  assert.equal(tf.memory().numTensors, before);
  assert.equal(result.accuracy, null);
  assert.ok(result.loss.mean > 0);
  tf.dispose(Object.values(params));
});
