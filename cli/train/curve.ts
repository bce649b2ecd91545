/** A learning curve drawn with unicode block characters, for the terminal. */

export interface CurvePoint {
  readonly x: number;
  readonly y: number;
}

export interface CurveOptions {
  readonly width?: number;
  readonly height?: number;
  readonly formatY?: (y: number) => string;
  readonly xLabel?: string;
}

const LEVELS = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** Column values over [x0, x1], interpolated linearly between the points. */
export function columns(points: readonly CurvePoint[], width: number): number[] {
  const x0 = points[0]!.x;
  const x1 = points.at(-1)!.x;
  const out: number[] = [];
  let p = 0;
  for (let c = 0; c < width; c++) {
    const x = x1 === x0 ? x1 : x0 + ((x1 - x0) * c) / (width - 1);
    while (p + 1 < points.length && points[p + 1]!.x <= x + 1e-9) p++;
    const a = points[p]!;
    const b = points[p + 1];
    out.push(b === undefined || b.x === a.x ? a.y : a.y + ((b.y - a.y) * (x - a.x)) / (b.x - a.x));
  }
  return out;
}

/** Rows of an area chart with a y axis (min and max labelled) and the first and last x under it. */
export function renderCurve(input: readonly CurvePoint[], options: CurveOptions = {}): string {
  const points = input.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).sort((a, b) => a.x - b.x);
  if (points.length === 0) return '(no points to draw)';
  const height = options.height ?? 8;
  const format = options.formatY ?? ((y: number) => y.toPrecision(3));
  const width = points.length === 1 ? 2 : Math.max(2, options.width ?? 60);
  const values = columns(points, width);
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (hi - lo < 1e-12) [lo, hi] = [lo - Math.abs(lo) * 0.05 - 1e-6, hi + Math.abs(hi) * 0.05 + 1e-6];
  // The lowest value keeps a sliver of a bar so that every column shows.
  const eighths = values.map((v) => Math.max(1, Math.round(((v - lo) / (hi - lo)) * height * 8)));
  const top = format(hi);
  const bottom = format(lo);
  const labelWidth = Math.max(top.length, bottom.length);
  const lines: string[] = [];
  for (let row = height - 1; row >= 0; row--) {
    const label = row === height - 1 ? top : row === 0 ? bottom : '';
    const axis = label ? '┤' : '│';
    const cells = eighths.map((e) => LEVELS[Math.max(0, Math.min(8, e - row * 8))]!).join('');
    lines.push(`${label.padStart(labelWidth)} ${axis}${cells}`.trimEnd());
  }
  lines.push(`${' '.repeat(labelWidth)} └${'─'.repeat(width)}`);
  const first = String(points[0]!.x);
  const last = String(points.at(-1)!.x);
  const gap = Math.max(1, width - first.length - last.length);
  lines.push(`${' '.repeat(labelWidth + 2)}${first}${' '.repeat(gap)}${last}${options.xLabel ? `  ${options.xLabel}` : ''}`);
  return lines.join('\n');
}
