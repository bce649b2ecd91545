/**
 * Timing for the benchmarks: median / p90 of repeated runs after warm-up, and how much CPU other
 * processes used meanwhile ("other_cores", as the PyTorch reference reports it) so that a figure
 * taken on a busy, shared machine can be recognised.
 */
import { readFileSync } from 'node:fs';

export interface Timing {
  readonly median_ms: number;
  readonly p90_ms: number;
  readonly min_ms: number;
  readonly n: number;
  /** Cores' worth of CPU that other processes used during the timed runs (0 = machine was ours). */
  readonly other_cores: number | null;
}

export class EmptySampleError extends Error {
  constructor() {
    super('no timings to summarise');
    this.name = 'EmptySampleError';
  }
}

/** Median (mean of the two middle values for an even count) and p90 as torch_maml.py computes it. */
export function summarise(times: readonly number[]): Pick<Timing, 'median_ms' | 'p90_ms' | 'min_ms' | 'n'> {
  if (times.length === 0) throw new EmptySampleError();
  const sorted = [...times].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  const p90 = sorted[Math.min(n - 1, Math.round(0.9 * (n - 1)))]!;
  return { median_ms: round(median), p90_ms: round(p90), min_ms: round(sorted[0]!), n };
}

export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Busy jiffies of the whole machine (user+nice+system+irq+softirq+steal), or null off Linux. */
function machineBusySeconds(): number | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const busy = fields.reduce((a, b) => a + b, 0) - fields[3]! - fields[4]!; // minus idle, iowait
    return busy / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/** CPU seconds used by this process (all its threads, the worker threads included). */
function processSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Starts a measurement window; the returned function gives other processes' CPU use in cores. */
export function contentionMeter(): () => number | null {
  const [machine0, own0, wall0] = [machineBusySeconds(), processSeconds(), performance.now()];
  return () => {
    const machine1 = machineBusySeconds();
    if (machine0 === null || machine1 === null) return null;
    const wall = (performance.now() - wall0) / 1000;
    const others = machine1 - machine0 - (processSeconds() - own0);
    return round(Math.max(0, others) / wall);
  };
}

export interface RepeatOptions {
  readonly warmup: number;
  readonly reps: number;
}

/** Runs `fn` warmup + reps times (awaiting each), timing the reps. */
export async function timeRuns(fn: () => unknown, { warmup, reps }: RepeatOptions): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  const others = contentionMeter();
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return { ...summarise(times), other_cores: others() };
}
