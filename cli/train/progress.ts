/**
 * The live progress line of a training job. On a terminal it is redrawn in place (at most ten
 * times a second); otherwise (a pipe, a log file, CI) one line is printed per tenth of the run,
 * so logs stay short whatever the iteration count.
 */
import type { Io } from '../context.ts';
import { duration, number, percent } from '../format.ts';

export interface ProgressSnapshot {
  readonly iteration: number;
  readonly iterations: number;
  readonly metaLoss: number | null;
  readonly accuracy: number | null;
  readonly tasksPerSecond: number | null;
  readonly etaSeconds: number | null;
  /** The latest validation (accuracy for classification, loss for regression). */
  readonly validation?: { readonly accuracy: number | null; readonly loss: number | null } | null;
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A bar of `width` cells filled to `fraction` with eighth-block precision. */
export function progressBar(fraction: number, width = 24): string {
  const eighths = Math.round(Math.min(1, Math.max(0, fraction)) * width * 8);
  const full = Math.floor(eighths / 8);
  const partial = EIGHTHS[eighths % 8]!;
  return `${'█'.repeat(full)}${partial}${' '.repeat(width - full - (partial ? 1 : 0))}`;
}

export function progressLine(p: ProgressSnapshot, barWidth = 24): string {
  const fraction = p.iterations > 0 ? p.iteration / p.iterations : 0;
  const parts = [`${String(Math.floor(fraction * 100)).padStart(3)}% │${progressBar(fraction, barWidth)}│ it ${p.iteration}/${p.iterations}`];
  parts.push(`loss ${number(p.metaLoss)}`);
  if (p.accuracy !== null) parts.push(`acc ${percent(p.accuracy)}`);
  if (p.validation) parts.push(p.validation.accuracy !== null ? `val ${percent(p.validation.accuracy)}` : `val loss ${number(p.validation.loss)}`);
  if (p.tasksPerSecond !== null) parts.push(`${number(p.tasksPerSecond, 3)} tasks/s`);
  parts.push(`ETA ${p.iteration >= p.iterations ? '0s' : duration(p.etaSeconds)}`);
  return parts.join(' · ');
}

export class ProgressReporter {
  private last: ProgressSnapshot | null = null;
  private drawnAt = 0;
  private onScreen = false;
  private printedTenth = -1;
  private paused = false;

  constructor(
    private readonly io: Io,
    private readonly now: () => number = Date.now,
  ) {}

  update(snapshot: ProgressSnapshot): void {
    this.last = snapshot;
    if (this.paused) return;
    if (this.io.errIsTTY) {
      if (this.now() - this.drawnAt >= 100 || snapshot.iteration >= snapshot.iterations) this.draw();
      return;
    }
    const tenth = Math.floor((10 * snapshot.iteration) / Math.max(1, snapshot.iterations));
    if (tenth !== this.printedTenth) {
      this.printedTenth = tenth;
      this.io.err(`${progressLine(snapshot)}\n`);
    }
  }

  /** A line of its own above the progress line (validation results, status changes). */
  note(text: string): void {
    this.clear();
    this.io.err(`${text}\n`);
    if (!this.paused && this.io.errIsTTY && this.last) this.draw();
  }

  /** Stops drawing (while a question is asked) until resume(). */
  pause(): void {
    this.clear();
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    if (this.io.errIsTTY && this.last) this.draw();
  }

  /** Leaves the last state on screen (or in the log) and moves to a new line. */
  finish(): void {
    if (this.io.errIsTTY) {
      if (this.last && !this.paused) this.draw();
      if (this.onScreen) this.io.err('\n');
      this.onScreen = false;
    } else if (this.last && this.printedTenth !== 10 && this.last.iteration >= this.last.iterations) {
      this.io.err(`${progressLine(this.last)}\n`);
    }
  }

  private draw(): void {
    this.io.err(`\r\x1b[2K${progressLine(this.last!)}`);
    this.onScreen = true;
    this.drawnAt = this.now();
  }

  private clear(): void {
    if (this.onScreen) this.io.err('\r\x1b[2K');
    this.onScreen = false;
  }
}
