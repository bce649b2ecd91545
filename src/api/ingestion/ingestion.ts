/**
 * Dataset ingestion as a background job of the API process: `POST /datasets` checks the archive's
 * central directory, makes the dataset's row (status processing) and answers 202; this class then
 * runs the CPU work (inflate, decode, preprocess: up to DATASET_MAX_PREPROCESSED_BYTES) on one
 * worker thread (piscina; uploads queue there, one at a time per process) and marks the row ready
 * (its file stored) or failed (with the reason's code and message). While it runs, the row gets a
 * heartbeat; a row whose process stopped is marked failed by the next read (failAbandonedDatasets).
 *
 * Why the API process and not the training worker: the archive is already on this process's disk
 * (moving up to DATASET_MAX_ARCHIVE_BYTES through the artifact store to another machine and back
 * would double the I/O), the work is bounded, and the worker's queue runs training jobs for hours.
 *
 * Invariants: the upload's temporary file is removed once its job settles; close() marks the jobs
 * it cuts short failed (INGESTION_INTERRUPTED) instead of leaving them processing.
 */
import { Piscina } from 'piscina';
import type { FastifyBaseLogger } from 'fastify';
import type { Preprocessing } from '../../core/types.ts';
import type { DatasetLimits } from '../../shared/config.ts';
import { completeDataset, DatasetNotFoundError, failDataset, heartbeatDataset } from '../../shared/datasets/index.ts';
import type { Db } from '../../shared/db/client.ts';
import { HttpError } from '../../shared/errors.ts';
import type { ArtifactStore } from '../../shared/storage/artifact-store.ts';
import type { IngestRequest, IngestResponse } from './thread.ts';

export interface IngestionOptions {
  readonly db: Db;
  readonly store: ArtifactStore;
  readonly limits: DatasetLimits;
  readonly maxImagePixels: number;
  /** Uploads that may wait for the thread; the next one is refused with 503 (default 4). */
  readonly maxQueue?: number;
  /** How often a running job's row is marked alive (default 15 s; INGESTION_STALE_MS is 60 s). */
  readonly heartbeatMs?: number;
}

export interface IngestionJob {
  readonly datasetId: string;
  /** The accepted archive on this process's disk. */
  readonly file: string;
  readonly preprocessing: Preprocessing;
  /** Removes the upload's temporary file. */
  readonly cleanup: () => Promise<void>;
  readonly log: FastifyBaseLogger;
}

export class IngestionQueueFullError extends HttpError {
  constructor(queued: number) {
    super(503, 'OVERLOADED', `${queued} uploaded datasets are already waiting to be ingested; retry later`, undefined, { 'retry-after': '30' });
  }
}

export class DatasetIngestion {
  private readonly pool: Piscina;
  private readonly running = new Map<string, Promise<void>>();
  private closing = false;

  constructor(private readonly options: IngestionOptions) {
    this.pool = new Piscina({
      filename: new URL('./thread-entry.mjs', import.meta.url).href,
      minThreads: 0, // started by the first upload, stopped when idle: its memory is the dataset's
      maxThreads: 1,
      idleTimeout: 30_000,
      atomics: 'disabled',
    });
  }

  /** Refuses before a row is made when too many uploads already wait. */
  assertAccepting(): void {
    const limit = this.options.maxQueue ?? 4;
    if (this.closing || this.running.size > limit) throw new IngestionQueueFullError(this.running.size);
  }

  /** Runs `job` in the background; its row says how it went. */
  start(job: IngestionJob): void {
    const done = this.run(job).finally(() => this.running.delete(job.datasetId));
    this.running.set(job.datasetId, done);
  }

  /** Waits for every job started so far (tests, and close). */
  async settled(): Promise<void> {
    await Promise.all(this.running.values());
  }

  private async run({ datasetId, file, preprocessing, cleanup, log }: IngestionJob): Promise<void> {
    const { db, store, limits, maxImagePixels } = this.options;
    const heartbeat = setInterval(() => void heartbeatDataset(db, datasetId).catch(() => undefined), this.options.heartbeatMs ?? 15_000);
    try {
      const request: IngestRequest = { file, limits, maxImagePixels, preprocessing };
      const response = (await this.pool.run(request)) as IngestResponse;
      if ('rejected' in response) {
        await failDataset(db, datasetId, response.rejected);
        log.info({ datasetId, reason: response.rejected.code }, 'dataset refused');
        return;
      }
      const row = await completeDataset(db, store, datasetId, response.dataset);
      log.info({ datasetId, classes: row.classes, images: row.images, timingsMs: response.dataset.timingsMs }, 'dataset stored');
    } catch (error) {
      if (error instanceof DatasetNotFoundError) return; // deleted or failed meanwhile: nothing stored
      const interrupted = this.closing;
      const reason = interrupted
        ? { code: 'INGESTION_INTERRUPTED', message: 'the API process stopped while ingesting this upload; upload it again' }
        : { code: 'INGESTION_FAILED', message: `ingestion failed: ${(error as Error).message}` };
      await failDataset(db, datasetId, reason).catch(() => undefined);
      if (!interrupted) log.error({ datasetId, err: error }, 'dataset ingestion failed');
    } finally {
      clearInterval(heartbeat);
      await cleanup().catch(() => undefined);
    }
  }

  /** Stops the thread at once; jobs cut short are marked failed (INGESTION_INTERRUPTED). */
  async close(): Promise<void> {
    this.closing = true;
    await this.pool.destroy();
    await this.settled();
  }
}
