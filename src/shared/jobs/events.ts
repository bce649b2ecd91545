/**
 * Live progress of a training job: the processor publishes TrainingEvents on a Redis pub/sub
 * channel per job; `GET /training-jobs/:id/events` relays them to browsers as Server-Sent Events.
 * Pub/sub keeps no history: PostgreSQL (the job row, TrainingMetric rows) stays the record, and
 * a subscriber that connects late starts from the row.
 */
import type { Redis } from 'ioredis';
import type { JobStatus } from '../../generated/prisma/client.ts';

export interface ProgressEvent {
  readonly type: 'progress';
  readonly iteration: number;
  readonly iterations: number;
  /** null when the loss is not finite (a diverged run). */
  readonly metaLoss: number | null;
  /** Query accuracy after adaptation, averaged over the meta-batch (null for regression). */
  readonly accuracy: number | null;
  readonly tasksPerSecond: number;
  readonly etaSeconds: number | null;
  /** Pipelines: the running stage (index from 0, of `count`) and its kind. */
  readonly stage?: StageProgress;
}

export interface StageProgress {
  readonly index: number;
  readonly count: number;
  readonly kind: 'pretrain' | 'meta';
  /** pretrain: training images per second (tasksPerSecond then counts batches). */
  readonly examplesPerSecond?: number;
}

export interface ValidationEvent {
  readonly type: 'validation';
  readonly iteration: number;
  /** Mean query accuracy over the validation tasks (null for regression). */
  readonly accuracy: number | null;
  /** Half-width of the 95 % confidence interval of `accuracy` (null for regression). */
  readonly ci95: number | null;
  /** Mean query loss (cross-entropy, or MSE for regression). */
  readonly loss: number;
}

export interface StatusEvent {
  readonly type: 'status';
  readonly status: JobStatus;
  readonly error?: string | null;
  readonly modelId?: string | null;
}

/** A line from the worker about what the job is doing (loading its dataset, a stage done, the final test). */
export interface NoteEvent {
  readonly type: 'note';
  readonly message: string;
}

export type TrainingEvent = ProgressEvent | ValidationEvent | StatusEvent | NoteEvent;

export const TERMINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];
const STATUSES: readonly JobStatus[] = ['queued', 'running', ...TERMINAL_STATUSES];

export function isTerminalStatus(status: string): boolean {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/** The pub/sub channel of one job's events (every TrainingEvent type); `prefix` is the deployment's QUEUE_PREFIX. */
export function eventsChannel(prefix: string, jobId: string): string {
  return `${prefix}:training:events:${jobId}`;
}

export class TrainingEventError extends Error {
  constructor(
    readonly reason: string,
    readonly actual: unknown,
  ) {
    super(`invalid training event: ${reason} (got ${JSON.stringify(actual)?.slice(0, 200)})`);
  }
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isNumberOrNull = (v: unknown) => v === null || isNumber(v);
const isStringOrAbsent = (v: unknown) => v === undefined || v === null || typeof v === 'string';

/** Checks an event's shape; returns it, or throws TrainingEventError naming the bad field. */
export function checkTrainingEvent(value: unknown): TrainingEvent {
  if (typeof value !== 'object' || value === null) throw new TrainingEventError('not an object', value);
  const event = value as Record<string, unknown>;
  const fields: Record<TrainingEvent['type'], Record<string, (v: unknown) => boolean>> = {
    progress: {
      iteration: isNumber,
      iterations: isNumber,
      metaLoss: isNumberOrNull, // a diverged run reports NaN, which JSON carries as null
      accuracy: isNumberOrNull,
      tasksPerSecond: isNumber,
      etaSeconds: isNumberOrNull,
    },
    validation: { iteration: isNumber, accuracy: isNumberOrNull, ci95: isNumberOrNull, loss: isNumber },
    status: { status: (v) => STATUSES.includes(v as JobStatus), error: isStringOrAbsent, modelId: isStringOrAbsent },
    note: { message: (v) => typeof v === 'string' && v.length > 0 && v.length <= 2000 },
  };
  const expected = fields[event.type as TrainingEvent['type']];
  if (!expected) throw new TrainingEventError('type must be progress, validation, status or note', event.type);
  for (const [field, ok] of Object.entries(expected)) {
    if (!ok(event[field])) throw new TrainingEventError(`bad ${event.type}.${field}`, event[field]);
  }
  return event as unknown as TrainingEvent;
}

/** A channel message → the event, or null when it is not one (logged by the caller, never relayed). */
export function parseTrainingEvent(message: string): TrainingEvent | null {
  try {
    return checkTrainingEvent(JSON.parse(message));
  } catch {
    return null;
  }
}

/**
 * Publishes one event (non-finite numbers travel as null, as JSON has no NaN); resolves to the
 * number of subscriber connections (API processes) that received it. A malformed event throws.
 */
export async function publishProgress(redis: Redis, prefix: string, jobId: string, event: TrainingEvent): Promise<number> {
  const message = JSON.stringify(event);
  checkTrainingEvent(JSON.parse(message));
  return redis.publish(eventsChannel(prefix, jobId), message);
}
