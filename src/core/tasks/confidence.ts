/**
 * Mean ± 95 % confidence half-width over per-task scores, as few-shot papers report them:
 * ci95 = 1.96·σ/√n with σ the population standard deviation (numpy's default, as cbfinn/maml's
 * `1.96 * np.std(accs) / np.sqrt(n)`; for the usual n = 600 tasks it differs from the sample
 * standard deviation by < 0.1 %).
 */

export class EmptySampleError extends Error {
  constructor() {
    super('a confidence interval needs at least one value');
  }
}

export class NonFiniteValueError extends Error {
  constructor(
    readonly index: number,
    readonly value: number,
  ) {
    super(`value ${index} is ${value}; every score must be finite`);
  }
}

export interface MeanConfidence {
  readonly mean: number;
  /** Half-width of the 95 % interval: report `mean ± ci95`. */
  readonly ci95: number;
  readonly std: number;
  readonly n: number;
}

export function meanConfidence(values: ArrayLike<number>): MeanConfidence {
  const n = values.length;
  if (n === 0) throw new EmptySampleError();
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const value = values[i]!;
    if (!Number.isFinite(value)) throw new NonFiniteValueError(i, value);
    sum += value;
  }
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i]! - mean) ** 2;
  const std = Math.sqrt(squares / n);
  return { mean, ci95: (1.96 * std) / Math.sqrt(n), std, n };
}
