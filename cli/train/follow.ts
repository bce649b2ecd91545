/**
 * Follows a training job over GET /training-jobs/{id}/events until it ends: the live progress
 * line, a line per validation and status change, Ctrl-C handled by the interrupt policy, and a
 * reconnect (from the job as stored) when the stream drops before the job has ended.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, type JobStatus, type JobStreamMessage, type TrainingJob } from '../../clients/typescript/index.ts';
import type { Context } from '../context.ts';
import { describeError } from '../describe-error.ts';
import { number, percent } from '../format.ts';
import { decideInterrupt, type InterruptPolicy } from './interrupt.ts';
import { ProgressReporter, type ProgressSnapshot } from './progress.ts';

export interface ValidationPoint {
  readonly iteration: number;
  readonly accuracy: number | null;
  readonly ci95: number | null;
  readonly loss: number | null;
}

export interface FollowOutcome {
  /** The job as last read: its final state unless the user detached. */
  readonly job: TrainingJob;
  readonly detached: boolean;
  /** Ctrl-C led to a cancellation or a detach. */
  readonly interrupted: boolean;
  /** The validations streamed while following, in order. */
  readonly validation: readonly ValidationPoint[];
}

const TERMINAL: ReadonlySet<JobStatus> = new Set(['completed', 'failed', 'cancelled']);
const MAX_RECONNECTS = 5;

export function validationNote(v: ValidationPoint): string {
  const accuracy = v.accuracy === null ? '' : `accuracy ${percent(v.accuracy)}${v.ci95 === null ? '' : ` ± ${(v.ci95 * 100).toFixed(1)}`}, `;
  return `validation at iteration ${v.iteration}: ${accuracy}loss ${number(v.loss)}`;
}

export async function followJob(ctx: Context, jobId: string, policy: InterruptPolicy): Promise<FollowOutcome> {
  const { client, io } = ctx;
  const reporter = new ProgressReporter(io);
  const validation: ValidationPoint[] = [];
  let job: TrainingJob | null = null;
  let status: JobStatus | null = null;
  let snapshot: ProgressSnapshot | null = null;
  let controller = new AbortController();
  let detached = false;
  let interrupted = false;
  let asking = false;

  function handle(message: JobStreamMessage): void {
    if (message.type === 'job') {
      if (job === null) reporter.note(`following job ${jobId} (${message.job.status}); Ctrl-C to cancel it or stop watching`);
      job = message.job;
      status = job.status;
      const p = job.progress;
      const v = p.validation;
      if (p.iteration !== undefined && p.iterations !== undefined) {
        snapshot = {
          iteration: p.iteration,
          iterations: p.iterations,
          metaLoss: p.metaLoss ?? null,
          accuracy: p.accuracy ?? null,
          tasksPerSecond: p.tasksPerSecond ?? null,
          etaSeconds: p.etaSeconds ?? null,
          validation: v ? { accuracy: v.accuracy ?? null, loss: null } : null,
        };
        if (p.iteration > 0) reporter.update(snapshot);
      }
    } else if (message.type === 'progress') {
      snapshot = { ...message, validation: snapshot?.validation ?? null };
      reporter.update(snapshot);
    } else if (message.type === 'note') {
      reporter.note(message.message);
    } else if (message.type === 'validation') {
      const point = { iteration: message.iteration, accuracy: message.accuracy, ci95: message.ci95, loss: message.loss };
      validation.push(point);
      if (snapshot) snapshot = { ...snapshot, validation: { accuracy: point.accuracy, loss: point.loss } };
      reporter.note(validationNote(point));
    } else {
      status = message.status;
      if (message.status === 'running') reporter.note(`job ${jobId} is running`);
      else if (message.status === 'queued') reporter.note(`job ${jobId} is back in the queue (its worker stopped); it resumes from its last checkpoint`);
    }
  }

  async function cancel(): Promise<void> {
    reporter.note(`cancelling job ${jobId}…`);
    try {
      const answer = await client.cancelJob(jobId);
      if (answer.status === 'cancelled') {
        // A queued job is cancelled at once; no worker publishes that, so stop the stream here.
        status = 'cancelled';
        controller.abort();
      } else reporter.note('cancellation requested: the worker stops within an iteration and keeps its last checkpoint (Ctrl-C again to stop watching)');
    } catch (error) {
      reporter.note(`could not cancel the job: ${describeError(error).message}`);
    }
  }

  const onSigint = () => {
    if (asking) return;
    if (interrupted) {
      detached = true; // a second Ctrl-C: stop at once
      controller.abort();
      return;
    }
    asking = true;
    reporter.pause();
    void decideInterrupt(policy, jobId, io.stdinIsTTY).then(async (choice) => {
      asking = false;
      reporter.resume();
      if (choice === 'resume') return;
      interrupted = true;
      if (choice === 'detach') {
        detached = true;
        controller.abort();
      } else await cancel();
    });
  };

  process.on('SIGINT', onSigint);
  try {
    for (let failures = 0; ; ) {
      try {
        for await (const message of client.jobEvents(jobId, { signal: controller.signal })) {
          failures = 0;
          handle(message);
        }
      } catch (error) {
        if (error instanceof ApiError) throw error;
        if (!detached && !(status && TERMINAL.has(status))) {
          if (++failures > MAX_RECONNECTS) throw error;
          reporter.note(`the event stream broke (${describeError(error).message}); reconnecting`);
        }
      }
      if (detached || (status !== null && TERMINAL.has(status))) break;
      // The stream ended while the job goes on (an API restart): reconnect; it starts with the job as stored.
      await sleep(1000);
      controller = new AbortController();
    }
  } finally {
    process.off('SIGINT', onSigint);
    reporter.finish();
  }
  const last = detached && job ? await client.getJob(jobId).catch(() => job!) : await client.getJob(jobId);
  return { job: last, detached, interrupted, validation };
}
