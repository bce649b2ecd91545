/** After a followed job: its final metrics and validation curve, and the exit code. */
import type { Model } from '../../clients/typescript/index.ts';
import type { Context } from '../context.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { duration, json, keyValues, number, percent } from '../format.ts';
import { testMetric } from '../commands/models.ts';
import { renderCurve, type CurvePoint } from './curve.ts';
import type { FollowOutcome, ValidationPoint } from './follow.ts';

interface FinalValidation {
  accuracy?: number | null;
  ci95?: number | null;
  loss?: number | null;
  tasks?: number;
}

/** The streamed validations and the model's final one (the worker validates once more after the last iteration). */
export function curvePoints(
  streamed: readonly ValidationPoint[],
  final: FinalValidation | undefined,
  iterations: number,
): { points: CurvePoint[]; metric: 'accuracy' | 'loss' } {
  const all: ValidationPoint[] = [...streamed];
  if (final && !all.some((v) => v.iteration === iterations))
    all.push({ iteration: iterations, accuracy: final.accuracy ?? null, ci95: final.ci95 ?? null, loss: final.loss ?? null });
  const metric = all.some((v) => v.accuracy !== null) ? 'accuracy' : 'loss';
  const points = all.map((v) => ({ x: v.iteration, y: (metric === 'accuracy' ? v.accuracy : v.loss) ?? Number.NaN })).filter((p) => Number.isFinite(p.y));
  return { points, metric };
}

export async function reportOutcome(ctx: Context, outcome: FollowOutcome, options: { json?: boolean }): Promise<ExitCode> {
  const { client, io } = ctx;
  const { job } = outcome;
  if (outcome.detached) {
    if (options.json) io.out(json({ job }));
    io.err(`stopped watching; job ${job.jobId} goes on (${job.status}). Follow it again with: maml jobs watch ${job.jobId}\n`);
    return EXIT.INTERRUPTED;
  }
  const model: Model | null = job.modelId ? await client.getModel(job.modelId).catch(() => null) : null;
  if (options.json) io.out(json({ job, model }));
  const iterations = job.progress.iterations ?? 0;
  if (job.status === 'failed') {
    io.err(`job ${job.jobId} failed at iteration ${job.progress.iteration ?? '?'}/${iterations}: ${job.error ?? 'no error message'}\n`);
    return EXIT.JOB_FAILED;
  }
  if (job.status === 'cancelled') {
    io.err(`job ${job.jobId} was cancelled at iteration ${job.progress.iteration ?? '?'}/${iterations}; its last checkpoint is kept\n`);
    return outcome.interrupted ? EXIT.INTERRUPTED : EXIT.JOB_FAILED;
  }
  if (options.json) return EXIT.OK;
  const seconds = job.startedAt && job.finishedAt ? (Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000 : null;
  const final = (model?.metrics as { validation?: FinalValidation; test?: FinalValidation } | undefined) ?? {};
  const rows: [string, string][] = [
    ['job', `${job.jobId} completed: ${iterations} iterations in ${duration(seconds)}`],
    ['model', model ? `${model.id} (${model.name} v${model.version})` : (job.modelId ?? '–')],
  ];
  if (model)
    rows.push([
      'test',
      `${testMetric(model)} over ${final.test?.tasks ?? '?'} tasks${final.test?.accuracy != null ? `, loss ${number(final.test.loss)}` : ''}`,
    ]);
  if (final.validation)
    rows.push([
      'validation',
      `${final.validation.accuracy != null ? `${percent(final.validation.accuracy)}, ` : ''}loss ${number(final.validation.loss)} over ${final.validation.tasks ?? '?'} tasks`,
    ]);
  io.out(`${keyValues(rows)}\n`);
  const { points, metric } = curvePoints(outcome.validation, final.validation, iterations);
  if (points.length > 0) {
    const formatY = metric === 'accuracy' ? (y: number) => percent(y) : (y: number) => number(y, 3);
    io.out(
      `\nvalidation ${metric}\n${renderCurve(points, { formatY, xLabel: 'iteration', width: Math.min(60, Math.max(20, (process.stdout.columns ?? 80) - 20)) })}\n`,
    );
  }
  return EXIT.OK;
}
