import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DatasetRejectedError } from './errors.ts';
import { isIgnoredEntry, planDataset } from './layout.ts';

const files = (classes: string[], per: number, prefix = '') => classes.flatMap((c) => Array.from({ length: per }, (_, k) => `${prefix}${c}/${k}.png`));
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof DatasetRejectedError);
    return error.code;
  }
  return 'accepted';
};

test('class folders, sorted, with wrapper folders unwrapped', () => {
  const plan = planDataset(files(['e', 'b', 'a', 'd', 'c'], 2, 'my data/set/'));
  assert.equal(plan.layout, 'folders');
  assert.deepEqual(
    plan.classes.map((c) => c.name),
    ['a', 'b', 'c', 'd', 'e'],
  );
  assert.deepEqual(plan.classes[0]!.files, ['my data/set/a/0.png', 'my data/set/a/1.png']);
  assert.equal(plan.imageCount, 10);
});

test('Omniglot: alphabet/character classes, under one split or both', () => {
  const one = planDataset(files(['Latin/c1', 'Latin/c2', 'Greek/c1', 'Greek/c2', 'Greek/c3'], 2, 'images_background/'));
  assert.equal(one.layout, 'omniglot');
  assert.deepEqual(
    one.classes.map((c) => c.name),
    ['Greek/c1', 'Greek/c2', 'Greek/c3', 'Latin/c1', 'Latin/c2'],
  );
  const both = planDataset([
    ...files(['Latin/c1', 'Latin/c2', 'Greek/c1'], 2, 'images_background/'),
    ...files(['Korean/c1', 'Korean/c2'], 2, 'images_evaluation/'),
  ]);
  assert.equal(both.layout, 'omniglot');
  assert.equal(both.classes[0]!.name, 'images_background/Greek/c1');
  // a single alphabet is just class folders under a wrapper
  assert.equal(planDataset(files(['Latin/c1', 'Latin/c2', 'Latin/c3', 'Latin/c4', 'Latin/c5'], 2)).layout, 'folders');
});

test('refusals: layout, extensions, counts', () => {
  assert.equal(
    codeOf(() => planDataset([...files(['a', 'b', 'c', 'd', 'e'], 2), 'top.png'])),
    'INVALID_LAYOUT',
  );
  assert.equal(
    codeOf(() => planDataset(files(['a/b/c/d', 'a/b/c/e', 'a/b/c/f', 'a/b/x/g', 'a/b/x/h'], 2).concat('q/w/e/r/t/y.png'))),
    'INVALID_LAYOUT',
  );
  assert.equal(
    codeOf(() => planDataset(files(['w/a/b', 'w/a/c', 'x/a/b', 'x/a/c', 'y/a/b'], 2))),
    'INVALID_LAYOUT',
  );
  assert.equal(
    codeOf(() => planDataset([...files(['a', 'b', 'c', 'd', 'e'], 2), 'a/notes.txt'])),
    'NOT_AN_IMAGE',
  );
  assert.equal(
    codeOf(() => planDataset(files(['a', 'b', 'c', 'd'], 5))),
    'TOO_FEW_CLASSES',
  );
  assert.equal(
    codeOf(() => planDataset([...files(['a', 'b', 'c', 'd'], 2), 'e/0.png'])),
    'TOO_FEW_IMAGES',
  );
  assert.equal(
    codeOf(() => planDataset([])),
    'TOO_FEW_CLASSES',
  );
  assert.equal(
    codeOf(() => planDataset(files(['a', 'b', 'c', 'd', 'e'], 2).map((f) => f.replace('.png', '.JPEG')))),
    'accepted',
  );
});

test('operating-system litter is recognised', () => {
  for (const name of ['__MACOSX/a/._x.png', 'a/.DS_Store', '.hidden/x.png', 'a/Thumbs.db', 'a/desktop.ini']) assert.ok(isIgnoredEntry(name), name);
  for (const name of ['a/x.png', 'a.b/x.png', 'MACOSX/x.png']) assert.ok(!isIgnoredEntry(name), name);
});
