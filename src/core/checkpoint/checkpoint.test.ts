import { test } from 'node:test';
import assert from 'node:assert/strict';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '../tf.ts';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint.ts';
import { CHECKPOINT_FORMAT, MAML_METADATA_KEY, validateCheckpointMetadata, type CheckpointMetadata } from './metadata.ts';
import { readParams, toParams } from './params.ts';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from './safetensors.ts';
import { permute, tfjsConvToTorch, torchConvToTfjs, transposeDense } from './layout.ts';
import { InvalidCheckpointMetadataError, InvalidMetadataError, MissingCheckpointMetadataError } from './errors.ts';

await tf.setBackend('wasm');

const metadata: CheckpointMetadata = {
  format: CHECKPOINT_FORMAT,
  spec: { kind: 'conv4', variant: 'strided', inputSize: 28, channels: 1, filters: 64, outputs: 5, headInit: 'zero' },
  algorithm: 'maml',
  nWay: 5,
  inputShape: [28, 28, 1],
  preprocessing: { size: 28, channels: 1, invert: true, resize: 'area', normalisation: { mean: 0, std: 1 } },
  learnedLearningRates: false,
  extras: { innerLr: 0.4, steps: [1, 3], dataset: { name: 'omniglot' } },
};

test('Params → checkpoint bytes → Params is bit-exact and keeps the metadata', async () => {
  const odd = new Float32Array(new Uint32Array([0x7fc12345, 0x80000000, 0x00000003, 0x3f800000]).buffer);
  const params = { 'block0.conv.weight': tf.tensor4d(odd, [1, 1, 1, 4]), 'head.bias': tf.tensor1d([0.25, -0.5]), step: tf.scalar(3, 'int32') };
  const before = tf.memory().numTensors;
  const bytes = encodeCheckpoint(await readParams(params), metadata, { format: 'pt' });
  const decoded = decodeCheckpoint(bytes);
  assert.deepEqual(decoded.metadata, metadata);
  assert.deepEqual(decoded.otherMetadata, { format: 'pt' });
  const restored = toParams(decoded.tensors);
  assert.deepEqual(Object.keys(restored).sort(), Object.keys(params).sort());
  const words = async (t: tf.Tensor) => [...new Uint32Array(((await t.data()) as Float32Array).slice().buffer)];
  assert.deepEqual(await words(restored['block0.conv.weight']!), [0x7fc12345, 0x80000000, 3, 0x3f800000]);
  assert.deepEqual(restored['block0.conv.weight']!.shape, [1, 1, 1, 4]);
  assert.equal(restored['step']!.dtype, 'int32');
  assert.deepEqual(restored['step']!.shape, []);
  tf.dispose(Object.values(restored));
  assert.equal(tf.memory().numTensors, before);
  tf.dispose(Object.values(params));
});

test('metadata is validated on the way in and out', () => {
  const withField = (patch: Record<string, unknown>) => ({ ...metadata, ...patch });
  const field = (f: string) => (e: unknown) => e instanceof InvalidCheckpointMetadataError && e.field === f;
  assert.throws(() => validateCheckpointMetadata(withField({ nWay: 0 })), field('nWay'));
  assert.throws(() => validateCheckpointMetadata(withField({ spec: { ...metadata.spec, variant: 'dilated' } })), field('spec.variant'));
  assert.throws(() => validateCheckpointMetadata(withField({ spec: { kind: 'mlp', inputs: 1, hidden: [40, -1], outputs: 1 } })), field('spec.hidden[1]'));
  assert.throws(() => validateCheckpointMetadata(withField({ preprocessing: { ...metadata.preprocessing, channels: 2 } })), field('preprocessing.channels'));
  assert.throws(
    () => validateCheckpointMetadata(withField({ preprocessing: { ...metadata.preprocessing, normalisation: { mean: 0, std: 0 } } })),
    field('preprocessing.normalisation.std'),
  );
  assert.throws(() => validateCheckpointMetadata(withField({ format: 'other' })), field('format'));
  assert.doesNotThrow(() =>
    validateCheckpointMetadata(withField({ spec: { kind: 'mlp', inputs: 1, hidden: [40, 40], outputs: 1 }, nWay: null, inputShape: [1], preprocessing: null })),
  );
  assert.throws(() => encodeCheckpoint(new Map(), withField({ learnedLearningRates: 'yes' }) as CheckpointMetadata), field('learnedLearningRates'));
  assert.throws(() => encodeCheckpoint(new Map(), metadata, { [MAML_METADATA_KEY]: 'x' }), InvalidMetadataError);
  assert.throws(
    () => decodeCheckpoint(encodeSafetensors(new Map(), { format: 'pt' })),
    (e) => e instanceof MissingCheckpointMetadataError && e.presentKeys[0] === 'format',
  );
  assert.throws(() => decodeCheckpoint(encodeSafetensors(new Map(), { maml: '{not json' })), field('maml'));
  assert.equal(decodeSafetensors(encodeCheckpoint(new Map(), metadata)).metadata[MAML_METADATA_KEY], JSON.stringify(metadata));
});

test('PyTorch ↔ tfjs layouts: conv [out,in,kh,kw] ↔ [kh,kw,in,out], linear [out,in] ↔ [in,out]', () => {
  const [O, I, KH, KW] = [3, 2, 2, 4];
  const torch: NamedTensor = { dtype: 'float32', shape: [O, I, KH, KW], data: Float32Array.from({ length: O * I * KH * KW }, (_, k) => k) };
  const tfjs = torchConvToTfjs(torch);
  assert.deepEqual(tfjs.shape, [KH, KW, I, O]);
  for (let o = 0; o < O; o++)
    for (let i = 0; i < I; i++)
      for (let h = 0; h < KH; h++)
        for (let w = 0; w < KW; w++) {
          assert.equal(tfjs.data[((h * KW + w) * I + i) * O + o], torch.data[((o * I + i) * KH + h) * KW + w]);
        }
  assert.deepEqual(tfjsConvToTorch(tfjs), torch);
  const linear: NamedTensor = { dtype: 'float32', shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) };
  assert.deepEqual(transposeDense(linear), { dtype: 'float32', shape: [3, 2], data: new Float32Array([1, 4, 2, 5, 3, 6]) });
  assert.deepEqual(transposeDense(transposeDense(linear)), linear);
  assert.deepEqual(permute({ dtype: 'int32', shape: [], data: new Int32Array([7]) }, []).data, new Int32Array([7]));
  assert.throws(() => torchConvToTfjs(linear));
  assert.throws(() => permute(linear, [0, 0]));
});
