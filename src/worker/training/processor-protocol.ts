/** What the worker and its sandboxed processor agree on. */

/** Abort reason the worker gives its processors at shutdown: checkpoint and hand the job back. */
export const SHUTDOWN_REASON = 'worker-shutdown';

/** The queue entry's data: the job's row id (everything else lives in PostgreSQL). */
export interface TrainingJobData {
  readonly jobId: string;
}

/** What a processor run returns to BullMQ (stored as the job's return value). */
export interface TrainingJobResult {
  readonly status: 'completed' | 'cancelled' | 'handed-back';
  readonly iteration: number;
  readonly modelId?: string;
}
