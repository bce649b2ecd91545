import assert from 'node:assert/strict';
import { test } from 'node:test';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '../tf.ts';
import { sinusoidExperiment } from './sinusoid.ts';

await tf.setBackend('wasm');

// CI budget: 300 meta-steps at a 10× meta learning rate (~30 s). `npm run bench:sinusoid` runs the
// paper's setting to its bound (5-shot MSE ≤ 0.5 after 10 steps).
test('sinusoid (MAML §5.1, small budget): MAML adapts far better than pre-training on all tasks', () => {
  const before = tf.memory().numTensors;
  const result = sinusoidExperiment({ iterations: 300, metaLr: 0.01, seed: 1, evalTasks: 50 });
  assert.equal(tf.memory().numTensors, before);
  const [maml, pretrained, prior] = [result.maml[5]!.mean, result.pretrained[5]!.mean, result.mamlBeforeAdaptation[5]!.mean];
  assert.ok(maml < 1.5, `MAML 5-shot MSE after 10 steps: ${maml}`);
  assert.ok(maml < 0.5 * pretrained, `MAML ${maml} vs pre-trained ${pretrained}`);
  assert.ok(maml < 0.5 * prior, `adaptation must help: ${maml} after 10 steps, ${prior} before`);
  assert.ok(result.maml[10]!.mean < maml, 'more shots, lower error');
});
