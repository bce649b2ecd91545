/** Typed errors of the core ops; each carries the values that were wrong. */

export class ShapeMismatchError extends Error {
  constructor(
    readonly what: string,
    readonly expected: readonly (number | null)[],
    readonly actual: readonly number[],
  ) {
    super(`${what}: expected shape [${expected.map((d) => d ?? '?').join(',')}], got [${actual.join(',')}]`);
    this.name = 'ShapeMismatchError';
  }
}

export class UnsupportedConvGeometryError extends Error {
  constructor(
    readonly strides: readonly number[],
    readonly dilations: readonly number[],
  ) {
    super(`convolution needs all strides or all dilations to be 1, got strides [${strides.join(',')}], dilations [${dilations.join(',')}]`);
    this.name = 'UnsupportedConvGeometryError';
  }
}

/** Throws ShapeMismatchError unless `actual` matches `expected` (null = any size). */
export function assertShape(what: string, actual: readonly number[], expected: readonly (number | null)[]): void {
  const ok = actual.length === expected.length && expected.every((d, i) => d === null || d === actual[i]);
  if (!ok) throw new ShapeMismatchError(what, expected, actual);
}
