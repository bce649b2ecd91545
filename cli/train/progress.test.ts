import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Io } from '../context.ts';
import { progressBar, progressLine, ProgressReporter, type ProgressSnapshot } from './progress.ts';

function recorder(errIsTTY: boolean): Io & { text: string } {
  const io = { text: '', out: () => assert.fail('progress never writes to stdout'), err: (s: string) => void (io.text += s), errIsTTY, stdinIsTTY: false };
  return io;
}

const at = (iteration: number, iterations = 100): ProgressSnapshot => ({
  iteration,
  iterations,
  metaLoss: 0.5,
  accuracy: 0.75,
  tasksPerSecond: 20,
  etaSeconds: (iterations - iteration) * 0.2,
});

test('the bar fills with eighth blocks and keeps its width', () => {
  assert.equal(progressBar(0, 8), '        ');
  assert.equal(progressBar(1, 8), '████████');
  assert.equal(progressBar(0.5, 8), '████    ');
  assert.equal(progressBar(1 / 64, 8), '▏       ');
  assert.equal(progressBar(2, 4), '████', 'clamped');
  for (const f of [0.01, 0.33, 0.999]) assert.equal([...progressBar(f, 10)].length, 10);
});

test('the line shows iteration, loss, accuracy, validation, speed and ETA; regression shows no accuracy', () => {
  assert.equal(
    progressLine({ ...at(45), validation: { accuracy: 0.8, loss: 0.6 } }, 8),
    ' 45% │███▋    │ it 45/100 · loss 0.5 · acc 75.0 % · val 80.0 % · 20 tasks/s · ETA 11s',
  );
  assert.equal(
    progressLine(
      { iteration: 20, iterations: 20, metaLoss: 0.123456, accuracy: null, tasksPerSecond: 95.25, etaSeconds: 3, validation: { accuracy: null, loss: 0.25 } },
      4,
    ),
    '100% │████│ it 20/20 · loss 0.1235 · val loss 0.25 · 95.3 tasks/s · ETA 0s',
  );
  assert.match(progressLine({ ...at(1), metaLoss: null, etaSeconds: null }), /loss – · .* ETA –$/);
});

test('without a terminal: one line per tenth of the run, and the final line once', () => {
  const io = recorder(false);
  const reporter = new ProgressReporter(io);
  for (let i = 1; i <= 100; i++) reporter.update(at(i));
  reporter.finish();
  const lines = io.text.trim().split('\n');
  assert.deepEqual(
    lines.map((l) => / it (\d+)\//.exec(l)![1]),
    ['1', '10', '20', '30', '40', '50', '60', '70', '80', '90', '100'],
  );
  assert.ok(!io.text.includes('\r'), 'no control characters in logs');
});

test('on a terminal: redrawn in place at most every 100 ms; notes go above it; finish ends the line', () => {
  const io = recorder(true);
  let now = 1000;
  const reporter = new ProgressReporter(io, () => now);
  reporter.update(at(1));
  reporter.update(at(2)); // within 100 ms: not drawn
  now += 150;
  reporter.update(at(3));
  reporter.note('validation at iteration 3: accuracy 50.0 %');
  reporter.pause();
  reporter.update(at(4)); // paused: not drawn
  reporter.resume();
  reporter.finish();
  const draws = io.text.split('\r\x1b[2K').filter(Boolean);
  assert.deepEqual(
    draws.map((d) => / it (\d+)\//.exec(d)?.[1] ?? d.trim()),
    ['1', '3', 'validation at iteration 3: accuracy 50.0 %', '3', '4', '4'],
  );
  assert.ok(io.text.endsWith('\n'));
});
