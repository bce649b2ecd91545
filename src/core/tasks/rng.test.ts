import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { InvalidRangeError, InvalidSeedError, Rng } from './rng.ts';

test('xoshiro128** matches the reference outputs for state [1, 2, 3, 4]', () => {
  const rng = Rng.fromState([1, 2, 3, 4]);
  assert.deepEqual([rng.nextUint32(), rng.nextUint32(), rng.nextUint32()], [11520, 0, 5927040]);
});

test('same seed gives the same sequence; different seeds differ', () => {
  const take = (rng: Rng) => Array.from({ length: 50 }, () => rng.nextUint32());
  assert.deepEqual(take(new Rng(42)), take(new Rng(42)));
  assert.notDeepEqual(take(new Rng(42)), take(new Rng(43)));
  assert.notDeepEqual(take(new Rng(2 ** 40)), take(new Rng(0)));
});

test('fork depends on seed and label only, not on the parent state', () => {
  const a = new Rng(7);
  const b = new Rng(7);
  for (let i = 0; i < 100; i++) b.nextUint32();
  assert.deepEqual(a.fork('train').uniform(), b.fork('train').uniform());
  assert.notEqual(a.fork('train').uniform(), a.fork('eval').uniform());
  assert.notEqual(a.fork(1).uniform(), a.fork(2).uniform());
  assert.notEqual(a.fork(1).uniform(), a.fork('1').uniform());
});

test('uniform, int and normal have the right ranges and moments', () => {
  const rng = new Rng(1);
  const n = 50_000;
  let sum = 0,
    sq = 0;
  const counts = new Array(7).fill(0);
  for (let i = 0; i < n; i++) {
    const u = rng.uniform();
    assert.ok(u >= 0 && u < 1);
    counts[rng.int(-3, 4) + 3]++;
    const z = rng.normal();
    sum += z;
    sq += z * z;
  }
  assert.ok(Math.abs(sum / n) < 0.02, `normal mean ${sum / n}`);
  assert.ok(Math.abs(sq / n - 1) < 0.03, `normal variance ${sq / n}`);
  const expected = n / 7;
  const chi2 = counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
  assert.ok(chi2 < 22.5, `chi² ${chi2} over 6 degrees of freedom`); // p ≈ 0.001
});

test('shuffle is a permutation and sample draws distinct indices', () => {
  fc.assert(
    fc.property(fc.integer(), fc.integer({ min: 0, max: 40 }), (seed, n) => {
      const rng = new Rng(seed);
      const items = Array.from({ length: n }, (_, i) => i);
      assert.deepEqual(
        [...rng.shuffle([...items])].sort((a, b) => a - b),
        items,
      );
      const k = Math.floor(n / 2);
      const picked = rng.sample(n, k);
      assert.equal(new Set(picked).size, k);
      assert.ok(picked.every((i) => i >= 0 && i < n));
    }),
  );
});

test('invalid seeds and ranges throw typed errors carrying the values', () => {
  assert.throws(
    () => new Rng(1.5),
    (e: unknown) => e instanceof InvalidSeedError && e.seed === 1.5,
  );
  assert.throws(() => new Rng(Number.NaN), InvalidSeedError);
  assert.throws(
    () => new Rng(0).int(3, 3),
    (e: unknown) => e instanceof InvalidRangeError && e.low === 3,
  );
  assert.throws(() => new Rng(0).sample(3, 4), InvalidRangeError);
  assert.throws(() => new Rng(0).uniformIn(2, 1), InvalidRangeError);
});
