/**
 * The learning curves of a training job as one self-contained SVG (no scripts, fonts, styles or
 * links: a browser shows it directly). Two panels over a shared iteration axis: the meta-training
 * loss, and accuracy — query accuracy after adaptation on the training tasks, and validation
 * accuracy with its 95 % confidence band. Long runs are downsampled to `maxPoints` per series.
 */
import { downsample, escapeXml, formatTick, niceAxis, type Axis, type Point } from './curve-scale.ts';

/** One TrainingMetric row (the fields the chart draws). */
export interface CurveMetric {
  readonly iteration: number;
  readonly metaLoss: number;
  /** null for regression jobs (no accuracy panel line then). */
  readonly accuracy: number | null;
  readonly validationAccuracy: number | null;
  readonly validationCi95: number | null;
}

export interface CurveOptions {
  readonly title: string;
  readonly subtitle?: string;
  readonly width?: number;
  readonly height?: number;
  /** Per series (default 1000). */
  readonly maxPoints?: number;
}

const COLORS = { loss: '#1f77b4', accuracy: '#ff7f0e', validation: '#2ca02c', axis: '#444', grid: '#e6e6e6' };
const FONT = 'font-family="sans-serif"';
const MARGIN = { left: 72, right: 24 };

interface Panel {
  readonly top: number;
  readonly height: number;
}

const fmt = (v: number) => String(Math.round(v * 10) / 10);

/** [min, max] of the finite values (no spread: runs have tens of thousands of iterations). */
function extent(values: readonly number[]): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

function scaler(axis: Axis, from: number, to: number): (v: number) => number {
  return (v) => from + ((v - axis.min) / (axis.max - axis.min)) * (to - from);
}

function polyline(points: readonly Point[], sx: (v: number) => number, sy: (v: number) => number, color: string): string {
  if (points.length === 0) return '';
  const coords = points.map((p) => `${fmt(sx(p.x))},${fmt(sy(p.y))}`).join(' ');
  return `<polyline points="${coords}" fill="none" stroke="${color}" stroke-width="1.5" stroke-linejoin="round"/>`;
}

function legend(x: number, y: number, items: readonly [string, string][]): string {
  const box = `<rect x="${x - 6}" y="${y - 14}" width="200" height="${items.length * 16 + 6}" fill="#fff" fill-opacity="0.85"/>`;
  return (
    box +
    items
      .map(([label, color], i) => {
        const top = y + i * 16;
        return `<rect x="${x}" y="${top - 9}" width="14" height="4" fill="${color}"/><text x="${x + 20}" y="${top}" font-size="11" ${FONT}>${escapeXml(label)}</text>`;
      })
      .join('')
  );
}

function frame(width: number, panel: Panel, xAxis: Axis, yAxis: Axis, yLabel: (v: number) => string, title: string): string {
  const sx = scaler(xAxis, MARGIN.left, width - MARGIN.right);
  const sy = scaler(yAxis, panel.top + panel.height, panel.top);
  const bottom = panel.top + panel.height;
  const parts = [`<text x="${MARGIN.left}" y="${panel.top - 8}" font-size="12" font-weight="bold" ${FONT}>${escapeXml(title)}</text>`];
  for (const t of yAxis.ticks) {
    const y = fmt(sy(t));
    parts.push(`<line x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${y}" y2="${y}" stroke="${COLORS.grid}"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${y}" dy="4" text-anchor="end" font-size="11" ${FONT}>${yLabel(t)}</text>`);
  }
  for (const t of xAxis.ticks) {
    const x = fmt(sx(t));
    parts.push(`<line x1="${x}" x2="${x}" y1="${bottom}" y2="${bottom + 5}" stroke="${COLORS.axis}"/>`);
    parts.push(`<text x="${x}" y="${bottom + 17}" text-anchor="middle" font-size="11" ${FONT}>${formatTick(t)}</text>`);
  }
  parts.push(
    `<rect x="${MARGIN.left}" y="${panel.top}" width="${width - MARGIN.left - MARGIN.right}" height="${panel.height}" fill="none" stroke="${COLORS.axis}"/>`,
  );
  return parts.join('');
}

function message(width: number, panel: Panel, text: string): string {
  return `<text x="${width / 2}" y="${panel.top + panel.height / 2}" text-anchor="middle" font-size="14" fill="#888" ${FONT}>${escapeXml(text)}</text>`;
}

export function renderLearningCurveSvg(metrics: readonly CurveMetric[], options: CurveOptions): string {
  const width = options.width ?? 800;
  const height = options.height ?? 600;
  const maxPoints = options.maxPoints ?? 1000;
  const loss = downsample(
    metrics.map((m) => ({ x: m.iteration, y: m.metaLoss })),
    maxPoints,
  );
  const accuracy = downsample(
    metrics.map((m) => ({ x: m.iteration, y: m.accuracy ?? Number.NaN })),
    maxPoints,
  );
  const validated = metrics.filter((m) => Number.isFinite(m.validationAccuracy) && Number.isFinite(m.validationCi95 ?? 0));
  const validation = downsample(
    validated.map((m) => ({ x: m.iteration, y: m.validationAccuracy! })),
    maxPoints,
  );
  const ci = downsample(
    validated.map((m) => ({ x: m.iteration, y: m.validationCi95 ?? 0 })),
    maxPoints,
  );

  const head = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">`;
  const parts = [head, `<title>${escapeXml(options.title)}</title>`, `<rect width="${width}" height="${height}" fill="#fff"/>`];
  parts.push(`<text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold" ${FONT}>${escapeXml(options.title)}</text>`);
  if (options.subtitle)
    parts.push(`<text x="${width / 2}" y="42" text-anchor="middle" font-size="11" fill="#555" ${FONT}>${escapeXml(options.subtitle)}</text>`);
  const plotTop = 70;
  const plotBottom = height - 40;
  const gap = 50;
  const panelHeight = (plotBottom - plotTop - gap) / 2;
  const lossPanel: Panel = { top: plotTop, height: panelHeight };
  const accuracyPanel: Panel = { top: plotTop + panelHeight + gap, height: panelHeight };

  if (metrics.length === 0) {
    parts.push(message(width, { top: plotTop, height: plotBottom - plotTop }, 'no data yet: no iteration has been recorded'));
    return `${parts.join('')}</svg>`;
  }
  const xAxis = niceAxis(...extent(metrics.map((m) => m.iteration)), 8);
  const sx = scaler(xAxis, MARGIN.left, width - MARGIN.right);

  const lossAxis = niceAxis(...extent(loss.map((p) => p.y)), 5);
  parts.push(frame(width, lossPanel, xAxis, lossAxis, formatTick, 'meta-training loss'));
  if (loss.length === 0) parts.push(message(width, lossPanel, 'no finite loss values'));
  parts.push(polyline(loss, sx, scaler(lossAxis, lossPanel.top + lossPanel.height, lossPanel.top), COLORS.loss));
  parts.push(legend(width - MARGIN.right - 206, lossPanel.top + 16, [['training loss (query)', COLORS.loss]]));

  const accAxis: Axis = { min: 0, max: 1, ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] };
  const sy = scaler(accAxis, accuracyPanel.top + accuracyPanel.height, accuracyPanel.top);
  parts.push(frame(width, accuracyPanel, xAxis, accAxis, (v) => `${Math.round(v * 100)}%`, 'accuracy'));
  if (validation.length > 0) {
    const clamp = (v: number) => sy(Math.min(1, Math.max(0, v)));
    const upper = validation.map((p, i) => `${fmt(sx(p.x))},${fmt(clamp(p.y + ci[i]!.y))}`);
    const lower = validation.map((p, i) => `${fmt(sx(p.x))},${fmt(clamp(p.y - ci[i]!.y))}`).reverse();
    parts.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${COLORS.validation}" fill-opacity="0.2" stroke="none"/>`);
  }
  parts.push(polyline(accuracy, sx, sy, COLORS.accuracy));
  parts.push(polyline(validation, sx, sy, COLORS.validation));
  if (validation.length <= 60) {
    for (const p of validation) parts.push(`<circle cx="${fmt(sx(p.x))}" cy="${fmt(sy(p.y))}" r="2.5" fill="${COLORS.validation}"/>`);
  }
  if (accuracy.length === 0 && validation.length === 0) parts.push(message(width, accuracyPanel, 'no accuracy values'));
  parts.push(
    legend(width - MARGIN.right - 206, accuracyPanel.top + accuracyPanel.height - 40, [
      ['training accuracy (query)', COLORS.accuracy],
      ['validation accuracy ± 95% CI', COLORS.validation],
    ]),
  );
  parts.push(`<text x="${(MARGIN.left + width - MARGIN.right) / 2}" y="${height - 8}" text-anchor="middle" font-size="12" ${FONT}>iteration</text>`);
  return `${parts.join('')}</svg>`;
}
