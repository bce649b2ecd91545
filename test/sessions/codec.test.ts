import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import '@tensorflow/tfjs-backend-wasm';
import { adapt, predict } from '../../src/core/adapt.ts';
import * as tf from '../../src/core/tf.ts';
import { preprocessImage } from '../../src/data/image/preprocess.ts';
import { disposeServingModel, loadServingModel } from '../../src/api/inference/serving-model.ts';
import { decodeTheta, encodeTheta, ThetaCodecError, type HostTensor } from '../../src/api/sessions/codec.ts';
import { encodeSafetensors } from '../../src/core/checkpoint/safetensors.ts';

const OMNIGLOT = process.env.OMNIGLOT_DIR ?? path.resolve(import.meta.dirname, '../../../shared/data/omniglot');
const MODEL = path.resolve(import.meta.dirname, '../../models/omniglot-5way.safetensors');

test('θ′ stored as float16 differences gives the same predictions as float32 (shipped model, real drawings)', async () => {
  await tf.setBackend('wasm');
  const model = loadServingModel(await readFile(MODEL), 'a'.repeat(64));
  const alphabet = path.join(OMNIGLOT, 'images_evaluation', 'Kannada');
  const characters = (await readdir(alphabet)).sort().slice(0, 5);
  const load = async (c: string, i: number) => {
    const files = (await readdir(path.join(alphabet, c))).sort();
    return preprocessImage(await readFile(path.join(alphabet, c, files[i]!)), model.metadata.preprocessing!);
  };
  const support = await Promise.all(characters.map((c) => load(c, 0)));
  const queries = await Promise.all(characters.flatMap((c) => [1, 5, 9, 13].map((i) => load(c, i))));
  const stack = (images: Float32Array[]) => tf.tensor4d(Float32Array.from(images.flatMap((x) => [...x])), [images.length, 28, 28, 1]);
  const x = stack(support);
  const y = tf.tensor1d([0, 1, 2, 3, 4], 'int32');
  const q = stack(queries);
  const result = adapt(model.net, model.params, { x, y }, { steps: 3, lr: model.lr });
  const adapted = new Map<string, HostTensor>(Object.entries(result.params).map(([n, t]) => [n, { shape: t.shape, data: t.dataSync() as Float32Array }]));
  const probabilities = (precision: 'float16' | 'float32') => {
    const decoded = decodeTheta(encodeTheta(model.host, adapted, model.sha256, precision), model.host, model.sha256);
    return tf.tidy(() => {
      const theta = { ...model.params, ...Object.fromEntries([...decoded.params].map(([n, t]) => [n, tf.tensor(t.data, [...t.shape])])) };
      return predict(model.net, theta, q).arraySync() as number[][];
    });
  };
  const full = probabilities('float32');
  const half = probabilities('float16');
  const argmax = (row: number[]) => row.indexOf(Math.max(...row));
  assert.deepEqual(half.map(argmax), full.map(argmax));
  const worst = Math.max(...full.flatMap((row, i) => row.map((p, k) => Math.abs(p - half[i]![k]!))));
  assert.ok(worst < 2e-3, `largest probability change ${worst}`);
  const bytes16 = encodeTheta(model.host, adapted, model.sha256, 'float16').byteLength;
  const bytes32 = encodeTheta(model.host, adapted, model.sha256, 'float32').byteLength;
  assert.ok(bytes16 < 0.55 * bytes32, `${bytes16} vs ${bytes32} bytes`);
  assert.throws(() => decodeTheta(encodeTheta(model.host, adapted, model.sha256, 'float16'), model.host, 'b'.repeat(64)), ThetaCodecError);
  tf.dispose([x, y, q, ...Object.values(result.params)]);
  disposeServingModel(model);
});

test('version 2 carries the support moments (float32, exact); version 1 sessions decode without them', () => {
  const base = new Map<string, HostTensor>([['w', { shape: [2], data: Float32Array.from([1, 2]) }]]);
  const adapted = new Map<string, HostTensor>([['w', { shape: [2], data: Float32Array.from([1.5, 2.5]) }]]);
  const moments = [
    { mean: Float32Array.from([0.1, 0.2, 0.3]), variance: Float32Array.from([1, 2, 3]) },
    { mean: Float32Array.from([4]), variance: Float32Array.from([5]) },
  ];
  const decoded = decodeTheta(encodeTheta(base, adapted, 'a'.repeat(64), 'float16', moments), base, 'a'.repeat(64));
  assert.deepEqual(decoded.moments, moments);
  assert.deepEqual([...decoded.params.get('w')!.data], [1.5, 2.5]);
  const version1 = encodeSafetensors(new Map([['w', { dtype: 'float32' as const, shape: [2], data: Float32Array.from([0.5, 0.5]) }]]), {
    codec: 'maml-service/session-theta@1',
    model: 'a'.repeat(64),
    precision: 'float32',
  });
  const old = decodeTheta(version1, base, 'a'.repeat(64));
  assert.equal(old.moments, null);
  assert.deepEqual([...old.params.get('w')!.data], [1.5, 2.5]);
  const halfMissing = encodeSafetensors(new Map([['moments.0.mean', { dtype: 'float32' as const, shape: [1], data: Float32Array.from([0]) }]]), {
    codec: 'maml-service/session-theta@2',
    model: 'a'.repeat(64),
    precision: 'float32',
  });
  assert.throws(() => decodeTheta(halfMissing, base, 'a'.repeat(64)), ThetaCodecError);
});
