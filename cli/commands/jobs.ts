/** `maml jobs [list]`, `jobs show <id>`, `jobs cancel <id>`, `jobs watch <id>` (admin). */
import { type Command, Option } from 'commander';
import type { JobStatus, TrainingJob } from '../../clients/typescript/index.ts';
import { contextFor, positiveInt } from '../context.ts';
import { duration, json, keyValues, number, percent, table } from '../format.ts';
import { followJob } from '../train/follow.ts';
import { INTERRUPT_POLICIES, type InterruptPolicy } from '../train/interrupt.ts';
import { reportOutcome } from '../train/summary.ts';

function progressText(job: TrainingJob): string {
  const p = job.progress;
  return `${p.iteration ?? 0}/${p.iterations ?? '?'}`;
}

function describe(job: TrainingJob): string {
  const p = job.progress;
  const config = job.config as { dataset?: string; algorithm?: string; nWay?: number; kShot?: number };
  return keyValues([
    ['job', job.jobId],
    ['name', job.name ?? '–'],
    ['status', `${job.status}${job.cancelRequested ? ' (cancel requested)' : ''}`],
    ['training', `${config.algorithm} on ${config.dataset}, ${config.nWay}-way ${config.kShot}-shot`],
    ['progress', `iteration ${progressText(job)}, loss ${number(p.metaLoss)}, accuracy ${percent(p.accuracy)}, ETA ${duration(p.etaSeconds)}`],
    [
      'validation',
      p.validation ? `${percent(p.validation.accuracy)} ± ${((p.validation.ci95 ?? 0) * 100).toFixed(1)} at iteration ${p.validation.iteration}` : '–',
    ],
    ['model', job.modelId ?? '–'],
    ['error', job.error ?? '–'],
    ['created', job.createdAt],
    ['started', job.startedAt ?? '–'],
    ['finished', job.finishedAt ?? '–'],
  ]);
}

export function registerJobs(program: Command): void {
  const jobs = program.command('jobs').description('meta-training jobs (admin)');
  jobs
    .command('list', { isDefault: true })
    .description('jobs, newest first')
    .addOption(new Option('--status <status>', 'only jobs in this status').choices(['queued', 'running', 'completed', 'failed', 'cancelled']))
    .option('--limit <n>', 'at most this many', positiveInt, 50)
    .option('--json', 'print JSON')
    .action(async (options: { status?: JobStatus; limit: number; json?: boolean }, command: Command) => {
      const { client, io } = contextFor(command);
      const list = await client.listJobs({ status: options.status, limit: options.limit });
      if (options.json) return io.out(json(list));
      if (list.length === 0) return io.err('no jobs\n');
      const rows = list.map((j) => [
        j.jobId,
        j.name ?? '',
        j.status,
        progressText(j),
        String((j.config as { dataset?: string }).dataset ?? ''),
        j.createdAt.slice(0, 19),
      ]);
      io.out(`${table(['id', 'name', 'status', 'iteration', 'dataset', 'created'], rows)}\n`);
    });
  jobs
    .command('show')
    .description('one job with its progress')
    .argument('<id>', 'job id')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const { client, io } = contextFor(command);
      const job = await client.getJob(id);
      io.out(options.json ? json(job) : `${describe(job)}\n`);
    });
  jobs
    .command('cancel')
    .description('cancel a queued or running job (a running one stops within an iteration, keeping its checkpoint)')
    .argument('<id>', 'job id')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const { client, io } = contextFor(command);
      const job = await client.cancelJob(id);
      if (options.json) return io.out(json(job));
      io.out(job.status === 'cancelled' ? `job ${id} cancelled\n` : `cancellation of job ${id} requested: it stops within an iteration\n`);
    });
  jobs
    .command('watch')
    .description('follow a job: live progress, then final metrics and the validation curve')
    .argument('<id>', 'job id')
    .addOption(new Option('--on-interrupt <action>', 'what Ctrl-C does').choices(INTERRUPT_POLICIES).default('ask'))
    .option('--json', 'print the final job and model as JSON')
    .action(async (id: string, options: { onInterrupt: InterruptPolicy; json?: boolean }, command: Command) => {
      const ctx = contextFor(command);
      process.exitCode = await reportOutcome(ctx, await followJob(ctx, id, options.onInterrupt), options);
    });
}
