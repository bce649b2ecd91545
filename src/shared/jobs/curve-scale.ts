/** Axis and series helpers for the learning-curve SVG: "nice" ticks, tick labels, downsampling. */

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface Axis {
  readonly min: number;
  readonly max: number;
  readonly ticks: readonly number[];
}

/** 1, 2, 2.5 or 5 times a power of ten, at least `rough`. */
function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10) * power;
}

/** An axis covering [min, max] with about `count` ticks at round values. A point range is widened. */
export function niceAxis(min: number, max: number, count = 5): Axis {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return niceAxis(0, 1, count);
  if (max - min < 1e-12 * Math.max(1, Math.abs(max))) {
    const pad = Math.abs(max) > 0 ? Math.abs(max) * 0.1 : 1;
    return niceAxis(min - pad, max + pad, count);
  }
  const step = niceStep((max - min) / Math.max(1, count));
  const lo = Math.floor(min / step + 1e-9) * step;
  const hi = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = lo; v <= hi + step * 1e-6; v += step) ticks.push(Number(v.toPrecision(12)));
  return { min: lo, max: hi, ticks };
}

/** A short label: 60000 → "60k", 1500000 → "1.5M", 0.30000000000000004 → "0.3". */
export function formatTick(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${Number((value / 1e6).toPrecision(4))}M`;
  if (abs >= 1e4) return `${Number((value / 1e3).toPrecision(4))}k`;
  return String(Number(value.toPrecision(4)));
}

/**
 * At most `maxPoints` points: consecutive points are grouped into equal buckets and each bucket
 * becomes its mean point (noisy per-iteration losses average out instead of aliasing). Points
 * with a non-finite coordinate are dropped first.
 */
export function downsample(points: readonly Point[], maxPoints: number): Point[] {
  const finite = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  if (finite.length <= maxPoints) return finite;
  const out: Point[] = [];
  for (let b = 0; b < maxPoints; b++) {
    const start = Math.floor((b * finite.length) / maxPoints);
    const end = Math.floor(((b + 1) * finite.length) / maxPoints);
    let x = 0;
    let y = 0;
    for (let i = start; i < end; i++) {
      x += finite[i]!.x;
      y += finite[i]!.y;
    }
    out.push({ x: x / (end - start), y: y / (end - start) });
  }
  return out;
}

/** Text safe inside XML content or a quoted attribute (characters XML 1.0 forbids are dropped). */
export function escapeXml(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}
