import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EmptySampleError, meanConfidence, NonFiniteValueError } from './confidence.ts';

test('mean ± 1.96·σ/√n with the population σ', () => {
  const result = meanConfidence([0.9, 1.0, 0.8, 1.0]);
  // mean 0.925, deviations -0.025 0.075 -0.125 0.075 → Σd² = 0.0275, σ = √(0.0275/4)
  assert.ok(Math.abs(result.mean - 0.925) < 1e-12);
  assert.ok(Math.abs(result.std - Math.sqrt(0.0275 / 4)) < 1e-12);
  assert.ok(Math.abs(result.ci95 - (1.96 * Math.sqrt(0.0275 / 4)) / 2) < 1e-12);
  assert.equal(result.n, 4);
  assert.deepEqual(meanConfidence(new Float64Array([0.5])), { mean: 0.5, ci95: 0, std: 0, n: 1 });
});

test('empty or non-finite samples are refused', () => {
  assert.throws(() => meanConfidence([]), EmptySampleError);
  assert.throws(
    () => meanConfidence([1, Number.NaN]),
    (e: unknown) => e instanceof NonFiniteValueError && e.index === 1,
  );
});
