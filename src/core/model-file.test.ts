import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeCheckpoint, readCheckpointHeader, type NamedTensor } from './checkpoint/index.ts';
import { CHECKPOINT_FORMAT, type CheckpointMetadata } from './checkpoint/metadata.ts';
import { checkModelFileShapes, firstNonFiniteTensor, InvalidModelFileError } from './model-file.ts';
import { parameterShapes } from './nets/create.ts';
import type { NetworkSpec } from './types.ts';

const spec: NetworkSpec = { kind: 'mlp', inputs: 1, hidden: [4], outputs: 1 };
const metadata: CheckpointMetadata = {
  format: CHECKPOINT_FORMAT,
  spec,
  algorithm: 'maml',
  nWay: 1,
  inputShape: [1],
  preprocessing: null,
  learnedLearningRates: false,
  extras: {},
};

function file(tensors: Record<string, number[] | [number[], Float32Array]>): Uint8Array {
  const named = new Map<string, NamedTensor>();
  for (const [name, value] of Object.entries(tensors)) {
    const [shape, data] = Array.isArray(value[0]) ? (value as [number[], Float32Array]) : [value as number[], undefined];
    named.set(name, { dtype: 'float32', shape, data: data ?? new Float32Array(shape.reduce((a, b) => a * b, 1)) });
  }
  return encodeCheckpoint(named, metadata);
}

test('a checkpoint is checked from its header against the shapes its network declares', () => {
  const good = file(parameterShapes(spec));
  checkModelFileShapes(readCheckpointHeader(good));
  const { 'layer0.weight': _, ...withoutOne } = parameterShapes(spec);
  assert.throws(
    () => checkModelFileShapes(readCheckpointHeader(file(withoutOne))),
    (e) => e instanceof InvalidModelFileError && /missing layer0\.weight \[1,4\]/.test(e.message),
  );
  assert.throws(
    () => checkModelFileShapes(readCheckpointHeader(file({ ...parameterShapes(spec), 'layer1.bias': [2] }))),
    /layer1\.bias has shape \[2\], expected \[1\]/,
  );
  assert.throws(() => checkModelFileShapes(readCheckpointHeader(file({ ...parameterShapes(spec), extra: [1] }))), /unexpected tensor extra/);
  checkModelFileShapes(readCheckpointHeader(file({ ...parameterShapes(spec), 'inner_lr.layer0.weight': [1, 4] }))); // learned rates are allowed
});

test('NaN and infinities are found in place, aligned or not', () => {
  const shapes = parameterShapes(spec);
  const bad = file({ ...shapes, 'layer1.bias': [[1], Float32Array.of(Number.POSITIVE_INFINITY)] });
  assert.equal(firstNonFiniteTensor(bad, readCheckpointHeader(bad)), 'layer1.bias');
  const shifted = new Uint8Array(bad.length + 1).fill(7);
  shifted.set(bad, 1);
  const view = shifted.subarray(1); // data at an odd address: read through a DataView
  assert.equal(firstNonFiniteTensor(view, readCheckpointHeader(view)), 'layer1.bias');
  const good = file(shapes);
  assert.equal(firstNonFiniteTensor(good, readCheckpointHeader(good)), null);
});
