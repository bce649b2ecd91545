/**
 * Multi-core MAML meta-gradient: worker threads, one TensorFlow.js backend each, the meta-batch
 * split into contiguous shares. θ (and learned inner rates) are packed once per step into one
 * SharedArrayBuffer that every thread reads; each thread writes the mean gradient of its share
 * into its own region of a shared output buffer; the pool averages them weighted by task count
 * (in float64). The image store's pixels are shared, not copied per thread. Equals the core's
 * single-thread metaGradient up to float32 summation order.
 */
import { EmptyMetaBatchError } from '../../core/meta/index.ts';
import type { ImageStore } from '../../core/tasks/index.ts';
import type { NetworkSpec } from '../../core/types.ts';
import type { BackendChoice } from '../../tf/backend.ts';
import { type HostParams, type PackedLayout, checkAgainstLayout, layoutOf, packInto } from './packing.ts';
import type { PoolAlgorithmOptions, PoolTaskPlan, StepOverrides, ThreadConfig } from './protocol.ts';
import { rateLayout } from './rates.ts';
import { type PoolMetaGradient, combineShares, splitShares } from './shares.ts';
import { shareImageStore } from './shared-store.ts';
import { type ThreadExitedError, ThreadHandle } from './thread-handle.ts';

export { type PoolMetaGradient, splitShares } from './shares.ts';

export interface MetaGradientPoolOptions {
  /** Worker threads (≥ 1); one per core is the useful maximum. */
  readonly threads: number;
  readonly spec: NetworkSpec;
  readonly algorithmOptions: PoolAlgorithmOptions;
  /** Images for image task plans (its pixels are moved into shared memory once when not already shared). */
  readonly store?: ImageStore;
  /** Backend of every thread (src/tf/backend.ts); default 'wasm'. */
  readonly backend?: BackendChoice;
  /** Native wasm kernels in the threads (default true; false: stock tfjs kernels, for comparison). */
  readonly fastKernels?: boolean;
}

export interface PoolStepOptions extends StepOverrides {
  /** Learned inner rates (when algorithmOptions.lr is 'perStep' or 'perParameter'), by adapted parameter name. */
  readonly rates?: HostParams;
}

export class InvalidThreadCountError extends Error {
  constructor(readonly threads: number) {
    super(`a pool needs a whole number of threads ≥ 1, got ${threads}`);
    this.name = 'InvalidThreadCountError';
  }
}

export class PoolClosedError extends Error {
  constructor(override readonly cause?: Error) {
    super(cause ? `the meta-gradient pool is broken: ${cause.message}` : 'the meta-gradient pool is closed');
    this.name = 'PoolClosedError';
  }
}

export class MetaGradientPool {
  private queue: Promise<unknown> = Promise.resolve();
  private input = new SharedArrayBuffer(0);
  private output = new SharedArrayBuffer(0);
  private broken: Error | null = null;
  private closing: Promise<number[]> | null = null;

  private constructor(
    private readonly handles: readonly ThreadHandle[],
    readonly layout: PackedLayout,
    private readonly algorithm: PoolAlgorithmOptions,
    /** Backend and native kernels the threads run (as thread 0 reported). */
    readonly backend: { readonly name: string; readonly fastKernels: readonly string[] },
  ) {
    for (const handle of handles) handle.onExit = (error: ThreadExitedError) => (this.broken ??= error);
  }

  static async start(options: MetaGradientPoolOptions): Promise<MetaGradientPool> {
    const { threads } = options;
    if (!Number.isSafeInteger(threads) || threads < 1) throw new InvalidThreadCountError(threads);
    const config: ThreadConfig = {
      spec: options.spec,
      algorithm: options.algorithmOptions,
      backend: options.backend ?? 'wasm',
      fastKernels: options.fastKernels ?? true,
      store: options.store ? shareImageStore(options.store) : null,
    };
    const handles = Array.from({ length: threads }, (_, t) => ThreadHandle.spawn(t, config));
    const started = await Promise.allSettled(handles.map((h) => h.ready));
    const failure = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure) {
      await Promise.all(handles.map((h) => h.terminate()));
      throw failure.reason;
    }
    const first = (started[0] as PromiseFulfilledResult<Awaited<ThreadHandle['ready']>>).value;
    return new MetaGradientPool(handles, layoutOf(first.layout), options.algorithmOptions, { name: first.backend, fastKernels: first.fastKernels });
  }

  get threads(): number {
    return this.handles.length;
  }

  /** The meta-gradient of the mean meta-objective over `plans` at θ = `params`. Calls run one at a time. */
  metaGradient(params: HostParams, plans: readonly PoolTaskPlan[], options: PoolStepOptions = {}): Promise<PoolMetaGradient> {
    if (this.closing) return Promise.reject(new PoolClosedError());
    const run = this.queue.then(() => this.step(params, plans, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async step(params: HostParams, plans: readonly PoolTaskPlan[], options: PoolStepOptions): Promise<PoolMetaGradient> {
    if (this.broken) throw new PoolClosedError(this.broken);
    if (plans.length === 0) throw new EmptyMetaBatchError();
    checkAgainstLayout(this.layout, params, 'parameters');
    const rates = rateLayout(this.algorithm, this.layout, options.rates ?? {});
    const region = this.layout.size + rates.size;
    const input = this.buffer('input', region);
    packInto(this.layout, params, input);
    packInto(rates, options.rates ?? {}, input, this.layout.size);
    const output = this.buffer('output', region * this.handles.length);
    const overrides: StepOverrides = {
      ...(options.firstOrder !== undefined ? { firstOrder: options.firstOrder } : {}),
      ...(options.stepWeights ? { stepWeights: options.stepWeights } : {}),
    };
    const shares = splitShares(plans, this.handles.length);
    const replies = await Promise.all(
      shares.map(async (share, t) => {
        if (share.length === 0) return null;
        const message = { input: this.input, rates: rates.entries, output: this.output, outputOffset: t * region, plans: share, overrides };
        const reply = await this.handles[t]!.request((id) => ({ kind: 'step', id, ...message }));
        return reply.kind === 'result' ? reply : null;
      }),
    );
    return combineShares(this.layout, rates, output, replies, plans.length);
  }

  /** The shared input/output buffer as floats, grown when a step needs more room. */
  private buffer(which: 'input' | 'output', floats: number): Float32Array {
    if (this[which].byteLength < floats * 4) this[which] = new SharedArrayBuffer(floats * 4);
    return new Float32Array(this[which], 0, floats);
  }

  /** Live tensor count of every thread (after a step returns it should be back to its baseline). */
  async tensorCounts(): Promise<number[]> {
    if (this.broken || this.closing) throw new PoolClosedError(this.broken ?? undefined);
    const replies = await Promise.all(this.handles.map((h) => h.request((id) => ({ kind: 'memory', id }))));
    return replies.map((r) => (r.kind === 'memory' ? r.numTensors : Number.NaN));
  }

  /** Finishes the queued steps, then stops every thread; resolves with their exit codes (0: clean). */
  close(): Promise<number[]> {
    this.closing ??= this.queue.then(() => Promise.all(this.handles.map((h) => h.close())));
    return this.closing;
  }
}
