/** Joins our timings with the PyTorch reference's: our/PyTorch time ratio per case (< 1: we are faster). */
import { round, type Timing } from './stats.ts';
import type { TorchOutcome } from './torch.ts';

export interface Row extends Timing {
  readonly variant: 'maxpool' | 'strided';
  readonly case: string;
  readonly kernels: 'native' | 'stock';
  readonly threads: number;
  /** The reference case with the same shapes. */
  readonly torch_case: string;
  readonly tasks_per_s?: number;
  /** 'fast': the serving fast path; 'reference': the differentiable tfjs path (adaptation cases). */
  readonly path?: 'fast' | 'reference';
  /** Mean milliseconds per run by phase (adaptation cases). */
  readonly phases_ms?: Record<string, number>;
  /** TensorFlow.js kernels dispatched by one run (tf.profile; custom-op scopes not counted), and the costliest. */
  readonly kernel_calls?: number;
  readonly top_kernels?: readonly string[];
}

export interface ComparedRow extends Row {
  readonly torch_p50_ms: number | null;
  readonly torch_tasks_per_s: number | null;
  /** Our median / PyTorch's p50 (null when the reference did not run). */
  readonly ratio: number | null;
}

export function ratioRows(rows: readonly Row[], torch: Partial<Record<Row['variant'], TorchOutcome>>): ComparedRow[] {
  return rows.map((row) => {
    const outcome = torch[row.variant];
    const reference = outcome?.ok ? outcome.run.cases[row.torch_case] : undefined;
    return {
      ...row,
      torch_p50_ms: reference?.p50_ms ?? null,
      torch_tasks_per_s: reference?.tasks_per_s ?? null,
      ratio: reference && reference.p50_ms > 0 ? round(row.median_ms / reference.p50_ms, 3) : null,
    };
  });
}

/** One line per row, for reading by eye: "maxpool adapt_5w1s native 1t: 67 ms (PyTorch 55 ms) ratio 1.22". */
export function summaryLines(rows: readonly ComparedRow[]): string[] {
  return rows.map((r) => {
    const rate = r.tasks_per_s !== undefined ? `, ${r.tasks_per_s} tasks/s` : '';
    const torchRate = r.torch_tasks_per_s !== null ? `, ${r.torch_tasks_per_s} tasks/s` : '';
    const reference = r.torch_p50_ms === null ? 'PyTorch n/a' : `PyTorch ${r.torch_p50_ms} ms${torchRate}`;
    const phases = r.phases_ms
      ? `; ${Object.entries(r.phases_ms)
          .map(([p, ms]) => `${p} ${ms}`)
          .join(', ')} ms`
      : '';
    const kernels = r.kernel_calls !== undefined ? `; ${r.kernel_calls} kernel calls` : '';
    return `${r.variant} ${r.case} ${r.kernels} ${r.threads}t: ${r.median_ms} ms${rate} (${reference}) ratio ${r.ratio ?? 'n/a'}${phases}${kernels}`;
  });
}
