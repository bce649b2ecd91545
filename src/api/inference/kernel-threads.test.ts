import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kernelThreadsFor, MIN_IMAGES_FOR_THREADS } from './kernel-threads.ts';
import type { InferenceRequest } from './protocol.ts';

const adapt = (images: number, headOnly = true): InferenceRequest => ({
  kind: 'adapt',
  model: { sha256: 'x' },
  images: { files: Array.from({ length: images }, () => new Uint8Array(1)), preprocessing: { size: [28, 28], channels: 1 } as never, maxPixels: 1 },
  labels: new Int32Array(images),
  ways: 5,
  steps: 1,
  headOnly,
  submittedAt: 0,
});

test('a lone request gets the extra kernel threads only from MIN_IMAGES_FOR_THREADS images on', () => {
  assert.equal(kernelThreadsFor(adapt(1), 0, 2), 1, 'one image: the second thread costs more than it gives');
  assert.equal(kernelThreadsFor(adapt(MIN_IMAGES_FOR_THREADS - 1), 0, 2), 1);
  assert.equal(kernelThreadsFor(adapt(5), 0, 2), 2, '5-way 1-shot, head only');
  assert.equal(kernelThreadsFor(adapt(MIN_IMAGES_FOR_THREADS), 0, 2), 2);
  assert.equal(kernelThreadsFor(adapt(100), 0, 2), 2, '20-way 5-shot');
});

test('an all-layer /adapt gets one at any size (its inner loop splits one product at a time)', () => {
  assert.equal(kernelThreadsFor(adapt(5, false), 0, 2), 1);
  assert.equal(kernelThreadsFor(adapt(100, false), 0, 2), 1);
});

test('concurrent requests and memory probes get one', () => {
  assert.equal(kernelThreadsFor(adapt(100), 1, 2), 1);
  assert.equal(kernelThreadsFor({ kind: 'memory' }, 0, 2), 1);
});
