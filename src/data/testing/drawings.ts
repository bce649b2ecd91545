/**
 * Test support: real Omniglot drawings as network input. `ways` characters of an evaluation
 * alphabet, preprocessed as a model's metadata says: one support drawing each (x, labels y =
 * 0…ways−1) and `queries` further drawings each (q, grouped by character). The caller disposes
 * the tensors.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '../../core/tf.ts';
import type { Preprocessing } from '../../core/types.ts';
import { preprocessImage } from '../image/preprocess.ts';

export async function evaluationDrawings(
  omniglotDir: string,
  preprocessing: Preprocessing,
  ways: number,
  queries: number,
  alphabet = 'Malayalam',
): Promise<{ x: tf.Tensor4D; y: tf.Tensor1D; q: tf.Tensor4D }> {
  const folder = path.join(omniglotDir, 'images_evaluation', alphabet);
  const characters = (await readdir(folder)).sort().slice(0, ways);
  const load = async (c: string, i: number) => {
    const files = (await readdir(path.join(folder, c))).sort();
    return preprocessImage(await readFile(path.join(folder, c, files[i]!)), preprocessing);
  };
  const { size, channels } = preprocessing;
  const stack = (images: Float32Array[]) => tf.tensor4d(Float32Array.from(images.flatMap((x) => [...x])), [images.length, size, size, channels]);
  const x = stack(await Promise.all(characters.map((c) => load(c, 0))));
  const q = stack(await Promise.all(characters.flatMap((c) => Array.from({ length: queries }, (_, i) => load(c, 1 + i)))));
  const y = tf.tensor1d(
    characters.map((_, i) => i),
    'int32',
  );
  return { x, y, q };
}
