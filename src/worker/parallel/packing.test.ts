import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitShares } from './meta-gradient-pool.ts';
import { LayoutMismatchError, checkAgainstLayout, layoutOf, packInto, unpackViews } from './packing.ts';
import { rateLayout } from './rates.ts';

const layout = layoutOf([
  { name: 'w', shape: [2, 3] },
  { name: 'b', shape: [3] },
  { name: 's', shape: [] },
]);

test('layout offsets follow the entry order; pack and unpack round-trip', () => {
  assert.deepEqual(
    layout.entries.map((e) => [e.name, e.offset, e.size]),
    [
      ['w', 0, 6],
      ['b', 6, 3],
      ['s', 9, 1],
    ],
  );
  assert.equal(layout.size, 10);
  const values = { b: Float32Array.of(7, 8, 9), s: Float32Array.of(-1), w: Float32Array.of(1, 2, 3, 4, 5, 6) };
  const packed = new Float32Array(13);
  packInto(layout, values, packed, 3);
  assert.deepEqual([...packed], [0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1]);
  const views = unpackViews(layout, packed, 3);
  for (const [name, v] of Object.entries(values)) assert.deepEqual(views[name], v);
  views['b']![0] = 70;
  assert.equal(packed[9], 70, 'unpackViews returns views, not copies');
});

test('checkAgainstLayout names every missing, unexpected and wrongly sized entry', () => {
  const values = { w: new Float32Array(5), b: new Float32Array(3), extra: new Float32Array(1) };
  assert.throws(
    () => checkAgainstLayout(layout, values, 'parameters'),
    (e: unknown) =>
      e instanceof LayoutMismatchError &&
      e.missing.join() === 's' &&
      e.unexpected.join() === 'extra' &&
      e.wrongSize.length === 1 &&
      e.wrongSize[0]!.name === 'w' &&
      e.wrongSize[0]!.expected === 6 &&
      e.wrongSize[0]!.actual === 5,
  );
  assert.doesNotThrow(() => checkAgainstLayout(layout, { w: new Float32Array(6), b: new Float32Array(3), s: new Float32Array(1) }, 'parameters'));
});

test('rate layouts: per-step rates are 1-D with ≥ steps values, per-parameter rates take θ shapes', () => {
  const perStep = rateLayout({ steps: 2, lr: 'perStep', only: ['b', 's'] }, layout, { b: new Float32Array(3), s: new Float32Array(2) });
  assert.deepEqual(
    perStep.entries.map((e) => [e.name, e.shape]),
    [
      ['b', [3]],
      ['s', [2]],
    ],
  );
  assert.throws(
    () => rateLayout({ steps: 2, lr: 'perStep', only: ['b'] }, layout, { b: new Float32Array(1) }),
    (e: unknown) => e instanceof LayoutMismatchError && e.wrongSize[0]?.expected === 2 && e.wrongSize[0]?.actual === 1,
  );
  const perParameter = rateLayout({ steps: 1, lr: 'perParameter' }, layout, { w: new Float32Array(6), b: new Float32Array(3), s: new Float32Array(1) });
  assert.deepEqual(
    perParameter.entries.map((e) => e.shape),
    [[2, 3], [3], []],
  );
  assert.throws(
    () => rateLayout({ steps: 1, lr: 'perParameter' }, layout, { w: new Float32Array(6) }),
    (e: unknown) => e instanceof LayoutMismatchError && e.missing.join() === 'b,s',
  );
  assert.throws(
    () => rateLayout({ steps: 1, lr: 0.1 }, layout, { w: new Float32Array(6) }),
    (e: unknown) => e instanceof LayoutMismatchError && e.unexpected.join() === 'w',
  );
  assert.equal(rateLayout({ steps: 1, lr: 0.1 }, layout, {}).size, 0);
});

test('splitShares gives contiguous shares whose sizes differ by at most one', () => {
  for (const [n, t] of [
    [32, 2],
    [5, 2],
    [7, 3],
    [1, 2],
    [0, 3],
  ] as const) {
    const items = Array.from({ length: n }, (_, i) => i);
    const shares = splitShares(items, t);
    assert.equal(shares.length, t);
    assert.deepEqual(shares.flat(), items);
    const sizes = shares.map((s) => s.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `${n} over ${t}: ${sizes}`);
  }
});
