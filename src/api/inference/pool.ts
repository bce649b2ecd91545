/**
 * The API's worker-thread pool for adaptation and prediction (piscina): one TensorFlow.js backend
 * and model cache per thread, a bounded queue. When every thread is busy and the queue is full a
 * request is refused at once with 503 + Retry-After instead of waiting without limit. Before a
 * model's first request is dispatched, its weights are made present in the local folder the threads
 * read; after that the pool remembers them (no file system check per request), and when a thread
 * finds them gone all the same (refusal `weights-unavailable`) the pool forgets them, makes them
 * present again and retries that request once. What a thread refuses comes back as an
 * `InferenceRefusedError` (mapped by the API).
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { HttpError } from '../../shared/errors.ts';
import { ArtifactCorruptError, ArtifactNotFoundError } from '../../shared/storage/artifact-store.ts';
import { kernelThreadsFor } from './kernel-threads.ts';
import {
  epochMs,
  InferenceRefusedError,
  sharedFiles,
  type AdaptRequest,
  type AdaptResponse,
  type ImageBatch,
  type InferenceRequest,
  type PredictRequest,
  type PredictResponse,
  type RefusedResponse,
} from './protocol.ts';

export interface InferencePoolOptions {
  readonly threads: number;
  readonly maxQueue: number;
  /** The local weights folder the threads read models from. */
  readonly weightsDir: string;
  /**
   * Makes a model's weights present in `weightsDir` (fetching them from the configured store);
   * called before a model's first dispatch and again whenever a thread found them missing, so a
   * thread never depends on another code path having filled the folder.
   */
  readonly ensureWeights: (sha256: string) => Promise<void>;
  readonly backend: string;
  /** How θ′ differences are stored per session (float16 halves the bytes; see src/api/sessions/codec.ts). */
  readonly precision: 'float16' | 'float32';
  /** Start the threads now (the API, so the first request is not slow) or on first use (tests). */
  readonly warm?: boolean;
  /**
   * Threads per native kernel call for a large enough request that arrives while no other is in
   * flight (./kernel-threads.ts; concurrent requests get 1 each). Default: 2 on a machine with ≥ 2 cores.
   */
  readonly loneKernelThreads?: number;
}

export class PoolSaturatedError extends HttpError {
  constructor(
    readonly queued: number,
    readonly maxQueue: number,
  ) {
    super(503, 'OVERLOADED', `all inference threads are busy and ${queued} requests are queued (limit ${maxQueue}); retry shortly`, undefined, {
      'retry-after': '1',
    });
  }
}

/** The images in shared memory: posted to a thread without a copy (protocol.ts: sharedFiles). */
function packed(images: ImageBatch): ImageBatch {
  return { ...images, files: sharedFiles(images.files) };
}

function isRefused(result: unknown): result is RefusedResponse {
  return result !== null && typeof result === 'object' && 'refused' in result;
}

export class InferencePool {
  private readonly pool: Piscina;
  private inFlight = 0;
  /** Models whose weights were made present in the local folder (sha256). */
  private readonly present = new Set<string>();

  constructor(private readonly options: InferencePoolOptions) {
    this.pool = new Piscina({
      filename: new URL('./thread-entry.mjs', import.meta.url).href,
      minThreads: options.warm === false ? 0 : options.threads,
      maxThreads: options.threads,
      maxQueue: options.maxQueue,
      idleTimeout: Number.POSITIVE_INFINITY,
      atomics: 'disabled',
      workerData: { weightsDir: options.weightsDir, backend: options.backend, precision: options.precision },
    });
  }

  /** Image bytes are copied to the thread (upload Buffers may share a pooled ArrayBuffer). */
  private async run<R>(task: InferenceRequest): Promise<R> {
    this.assertAccepting(); // before fetching weights for a request that would be refused anyway
    const sha256 = task.kind === 'memory' ? undefined : task.model.sha256;
    const remembered = sha256 === undefined || this.present.has(sha256);
    if (!remembered) await this.weights(sha256);
    let result = await this.dispatch<R>(task);
    if (sha256 !== undefined && isRefused(result) && result.refused.reason === 'weights-unavailable') {
      this.present.delete(sha256); // gone from the folder since: fetch them again, and retry once
      if (remembered) {
        await this.weights(sha256);
        result = await this.dispatch<R>(task);
      }
    }
    if (isRefused(result)) throw new InferenceRefusedError(result.refused.reason, result.refused.message);
    return result;
  }

  private async dispatch<R>(task: InferenceRequest): Promise<R | RefusedResponse> {
    // The bound is checked in the same synchronous step that queues the task, so piscina's own
    // (looser: maxQueue plus idle capacity) limit never refuses one: no error to tell apart by text.
    this.assertAccepting();
    const threads = kernelThreadsFor(task, this.inFlight, this.options.loneKernelThreads ?? Math.min(2, availableParallelism()));
    this.inFlight++;
    try {
      return (await this.pool.run(task.kind === 'memory' ? task : { ...task, kernelThreads: threads })) as R | RefusedResponse;
    } finally {
      this.inFlight--;
    }
  }

  private async weights(sha256: string): Promise<void> {
    try {
      await this.options.ensureWeights(sha256);
      this.present.add(sha256);
    } catch (error) {
      if (error instanceof ArtifactNotFoundError || error instanceof ArtifactCorruptError) {
        throw new InferenceRefusedError('weights-unavailable', `the model's weights cannot be read (${error.message}); retry`);
      }
      throw error;
    }
  }

  adapt(request: Omit<AdaptRequest, 'kind' | 'submittedAt'>): Promise<AdaptResponse> {
    return this.run({ kind: 'adapt', ...request, images: packed(request.images), submittedAt: epochMs() });
  }

  predict(request: Omit<PredictRequest, 'kind' | 'submittedAt'>): Promise<PredictResponse> {
    return this.run({ kind: 'predict', ...request, images: packed(request.images), submittedAt: epochMs() });
  }

  /** Live tensors in every thread (each thread answers for itself; used by leak tests). */
  async liveTensors(): Promise<number[]> {
    const threads = this.options.threads;
    return Promise.all(Array.from({ length: threads }, () => this.run<{ tensors: number }>({ kind: 'memory' }).then((r) => r.tensors)));
  }

  /** Refuses at once (before an upload is read) when the queue is already full. */
  assertAccepting(): void {
    if (this.pool.queueSize >= this.options.maxQueue) throw new PoolSaturatedError(this.pool.queueSize, this.options.maxQueue);
  }

  get stats() {
    return { threads: this.options.threads, queued: this.pool.queueSize, maxQueue: this.options.maxQueue, utilization: this.pool.utilization };
  }

  /** Waits for running tasks, then stops the threads. */
  async close(): Promise<void> {
    await this.pool.close();
  }
}
