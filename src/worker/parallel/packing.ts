/**
 * Named float32 arrays packed back to back into one buffer (θ or gradients crossing a thread
 * boundary as one block). A layout is the list of (name, shape) in a fixed order; offsets follow.
 */

/** Tensors as plain arrays: name → row-major float32 data (shapes come from a layout). */
export type HostParams = Record<string, Float32Array>;

export interface LayoutEntry {
  readonly name: string;
  readonly shape: readonly number[];
  /** Offset in floats into the packed buffer. */
  readonly offset: number;
  readonly size: number;
}

export interface PackedLayout {
  readonly entries: readonly LayoutEntry[];
  /** Total number of floats. */
  readonly size: number;
}

/** The names of a map do not match a layout (missing, unexpected, or a wrong element count). */
export class LayoutMismatchError extends Error {
  constructor(
    readonly what: string,
    readonly missing: readonly string[],
    readonly unexpected: readonly string[],
    readonly wrongSize: readonly { readonly name: string; readonly expected: number; readonly actual: number }[],
  ) {
    const parts = [
      missing.length > 0 ? `missing ${missing.join(', ')}` : '',
      unexpected.length > 0 ? `unexpected ${unexpected.join(', ')}` : '',
      ...wrongSize.map((w) => `${w.name} has ${w.actual} values, expected ${w.expected}`),
    ].filter(Boolean);
    super(`${what} do not match the layout: ${parts.join('; ')}`);
    this.name = 'LayoutMismatchError';
  }
}

export function layoutOf(shapes: readonly { readonly name: string; readonly shape: readonly number[] }[]): PackedLayout {
  let offset = 0;
  const entries = shapes.map(({ name, shape }) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const entry = { name, shape: [...shape], offset, size };
    offset += size;
    return entry;
  });
  return { entries, size: offset };
}

/** Throws LayoutMismatchError unless `values` has exactly the layout's names and sizes. */
export function checkAgainstLayout(layout: PackedLayout, values: HostParams, what: string): void {
  const names = new Set(layout.entries.map((e) => e.name));
  const missing = layout.entries.filter((e) => !(e.name in values)).map((e) => e.name);
  const unexpected = Object.keys(values).filter((name) => !names.has(name));
  const wrongSize = layout.entries
    .filter((e) => e.name in values && values[e.name]!.length !== e.size)
    .map((e) => ({ name: e.name, expected: e.size, actual: values[e.name]!.length }));
  if (missing.length + unexpected.length + wrongSize.length > 0) throw new LayoutMismatchError(what, missing, unexpected, wrongSize);
}

/** Writes `values` into `target` (at float offset `base`) in layout order. */
export function packInto(layout: PackedLayout, values: HostParams, target: Float32Array, base = 0): void {
  for (const { name, offset } of layout.entries) target.set(values[name]!, base + offset);
}

/** Views (not copies) of each entry of a packed buffer starting at float offset `base`. */
export function unpackViews(layout: PackedLayout, source: Float32Array, base = 0): HostParams {
  const out: HostParams = {};
  for (const { name, offset, size } of layout.entries) out[name] = source.subarray(base + offset, base + offset + size);
  return out;
}
