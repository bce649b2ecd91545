import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columns, renderCurve } from './curve.ts';

test('columns interpolate linearly between points, first and last exact', () => {
  assert.deepEqual(
    columns(
      [
        { x: 0, y: 0 },
        { x: 10, y: 1 },
      ],
      11,
    ).map((v) => Number(v.toFixed(6))),
    [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
  );
  assert.deepEqual(
    columns(
      [
        { x: 0, y: 1 },
        { x: 5, y: 3 },
        { x: 10, y: 2 },
      ],
      3,
    ),
    [1, 3, 2],
  );
});

test('a rising curve: labelled min and max, the first column lowest, the last full, x range under the axis', () => {
  const chart = renderCurve(
    [
      { x: 250, y: 0.865 },
      { x: 750, y: 0.91 },
      { x: 1500, y: 0.966 },
    ],
    { width: 30, height: 6, formatY: (y) => `${(y * 100).toFixed(1)} %`, xLabel: 'iteration' },
  );
  const lines = chart.split('\n');
  assert.equal(lines.length, 8, chart);
  assert.match(lines[0]!, /^96\.6 % ┤/);
  assert.match(lines[5]!, /^86\.5 % ┤▁/);
  assert.ok(
    lines.slice(0, 6).every((l) => l.length <= 6 + 2 + 30),
    'label, space, axis, 30 columns',
  );
  assert.equal(lines[0]!.at(-1), '█', 'the maximum fills the top row');
  assert.match(lines[6]!, /^ {7}└─{30}$/);
  assert.match(lines[7]!, /^ {8}250 +1500 {2}iteration$/);
  const heights = [...Array(30).keys()].map((c) => lines.slice(0, 6).filter((l) => (l.slice(8)[c] ?? ' ') !== ' ').length);
  assert.deepEqual(
    heights,
    [...heights].sort((a, b) => a - b),
    'non-decreasing',
  );
});

test('degenerate input: no points, one point, a flat curve', () => {
  assert.equal(renderCurve([]), '(no points to draw)');
  assert.equal(renderCurve([{ x: 1, y: Number.NaN }]), '(no points to draw)');
  const one = renderCurve([{ x: 10, y: 0.5 }], { height: 3 }).split('\n');
  assert.equal(one.length, 5);
  assert.match(one.at(-1)!, /10/);
  const flat = renderCurve(
    [
      { x: 1, y: 2 },
      { x: 2, y: 2 },
    ],
    { height: 2, width: 4 },
  );
  assert.match(flat, /┤/);
});
