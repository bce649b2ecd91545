import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LoadedDataset } from './repository.ts';
import { DatasetSplitError, splitDataset } from './splits.ts';

function dataset(classes: number): LoadedDataset {
  return {
    id: 'd',
    name: 'd',
    layout: 'folders',
    preprocessing: { size: 2, channels: 1, invert: false, resize: 'area', normalisation: { mean: 0, std: 1 } },
    images: new Float32Array(classes * 2 * 4),
    height: 2,
    width: 2,
    channels: 1,
    classes: Array.from({ length: classes }, (_, c) => [2 * c, 2 * c + 1]),
    classNames: Array.from({ length: classes }, (_, c) => `c${c}`),
  };
}

test('classes are split disjointly, deterministically, 70/10/20 with at least nWay per split', () => {
  const splits = splitDataset(dataset(100), { nWay: 5 });
  const names = (s: { classNames?: readonly string[] }) => s.classNames!;
  assert.deepEqual([names(splits.train).length, names(splits.validation).length, names(splits.test).length], [70, 10, 20]);
  const all = [...names(splits.train), ...names(splits.validation), ...names(splits.test)];
  assert.equal(new Set(all).size, 100);
  assert.deepEqual(splitDataset(dataset(100), { nWay: 5 }), splits, 'the same split every time');
  assert.notDeepEqual(names(splitDataset(dataset(100), { nWay: 5, seed: 1 }).test), names(splits.test));
  const index = Number(names(splits.test)[0]!.slice(1));
  assert.deepEqual(splits.test.classes[0], [2 * index, 2 * index + 1], 'class indices follow their names');
  assert.equal(splits.train.images, splits.test.images, 'one shared image array');

  const small = splitDataset(dataset(15), { nWay: 5 });
  assert.deepEqual([small.train.classes.length, small.validation.classes.length, small.test.classes.length], [5, 5, 5]);
  assert.throws(
    () => splitDataset(dataset(14), { nWay: 5 }),
    (e: unknown) => e instanceof DatasetSplitError && e.needed === 15 && e.classes === 14,
  );
});
