/**
 * One worker thread of a pool, as promises: start (until its 'ready'), request/reply by id, and
 * shutdown. A thread that dies rejects everything it still owed with ThreadExitedError.
 */
import { Worker } from 'node:worker_threads';
import type { SerializedError, ShapeEntry, ThreadConfig, ThreadReply, ThreadRequest } from './protocol.ts';

/** A thread could not set up (backend, network, …): the error it reported. */
export class ThreadStartError extends Error {
  constructor(
    readonly thread: number,
    readonly errorName: string,
    readonly reason: string,
  ) {
    super(`pool thread ${thread} failed to start: ${errorName}: ${reason}`);
    this.name = 'ThreadStartError';
  }
}

/** A step failed inside a thread (the thread itself lives on): the error it threw there. */
export class ThreadFailedError extends Error {
  constructor(
    readonly thread: number,
    readonly errorName: string,
    readonly reason: string,
  ) {
    super(`pool thread ${thread}: ${errorName}: ${reason}`);
    this.name = 'ThreadFailedError';
  }
}

/** A thread ended while work was outstanding (crash, out of memory, terminate). */
export class ThreadExitedError extends Error {
  constructor(
    readonly thread: number,
    readonly exitCode: number,
    readonly detail: string,
  ) {
    super(`pool thread ${thread} exited with code ${exitCode}${detail ? `: ${detail}` : ''}`);
    this.name = 'ThreadExitedError';
  }
}

type Reply = Extract<ThreadReply, { id: number }>;
const ENTRY = new URL('./meta-gradient-thread-entry.mjs', import.meta.url);

export interface ThreadReady {
  readonly layout: readonly ShapeEntry[];
  readonly backend: string;
  readonly fastKernels: readonly string[];
}

export class ThreadHandle {
  private readonly pending = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private lastError = '';
  readonly exited: Promise<number>;
  readonly ready: Promise<ThreadReady>;
  onExit: (error: ThreadExitedError) => void = () => undefined;

  private constructor(
    readonly index: number,
    private readonly worker: Worker,
  ) {
    let settleReady!: { resolve: (r: ThreadReady) => void; reject: (e: Error) => void };
    this.ready = new Promise((resolve, reject) => (settleReady = { resolve, reject }));
    worker.on('message', (reply: ThreadReply) => {
      if (reply.kind === 'ready') settleReady.resolve(reply);
      else if (reply.kind === 'failed') settleReady.reject(new ThreadStartError(index, reply.error.name, reply.error.message));
      else this.settle(reply);
    });
    worker.on('error', (error) => (this.lastError = `${error.name}: ${error.message}`));
    this.exited = new Promise((resolve) =>
      worker.on('exit', (code) => {
        const error = new ThreadExitedError(index, code, this.lastError);
        settleReady.reject(new ThreadStartError(index, 'ThreadExitedError', error.message));
        for (const { reject } of this.pending.values()) reject(error);
        if (this.pending.size > 0 || code !== 0) this.onExit(error);
        this.pending.clear();
        resolve(code);
      }),
    );
  }

  static spawn(index: number, config: ThreadConfig): ThreadHandle {
    return new ThreadHandle(index, new Worker(ENTRY, { workerData: config }));
  }

  /** Sends a request built with a fresh id; resolves with the reply of that id. */
  request(make: (id: number) => ThreadRequest): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(make(id));
    });
  }

  private settle(reply: Reply): void {
    const waiter = this.pending.get(reply.id);
    if (!waiter) return;
    this.pending.delete(reply.id);
    if (reply.kind === 'error') waiter.reject(failed(this.index, reply.error));
    else waiter.resolve(reply);
  }

  /** Asks the thread to finish; terminates it when it has not exited after `graceMs`. Resolves with the exit code. */
  async close(graceMs = 5000): Promise<number> {
    this.worker.postMessage({ kind: 'close' } satisfies ThreadRequest);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
    const outcome = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    if (outcome === 'late') await this.worker.terminate();
    return this.exited;
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

function failed(thread: number, error: SerializedError): ThreadFailedError {
  return new ThreadFailedError(thread, error.name, error.message);
}
