/**
 * Splitting a meta-batch over threads and averaging what they return: each thread writes the mean
 * gradient of its share into its region of the shared output buffer; the overall mean weights each
 * region by its task count (summed in float64).
 */
import { type HostParams, type PackedLayout, unpackViews } from './packing.ts';
import type { ThreadReply } from './protocol.ts';

export interface PoolMetaGradient {
  /** d(mean meta-objective)/dθ, by parameter name (fresh arrays the caller owns). */
  readonly grads: HostParams;
  /** d(mean meta-objective)/d(rate) for each learned rate (empty for a fixed rate). */
  readonly rateGrads: HostParams;
  readonly objective: number;
  /** Mean query loss and accuracy at θ′ over all tasks (accuracy null for regression). */
  readonly loss: number;
  readonly accuracy: number | null;
  readonly tasks: number;
  /** Per thread: ms it computed this step (0 for a thread without tasks); wall time minus the largest is the pool's overhead. */
  readonly threadMs: readonly number[];
}

/** Contiguous, balanced shares: thread t gets plans [⌊tN/T⌋, ⌊(t+1)N/T⌋). */
export function splitShares<T>(items: readonly T[], threads: number): T[][] {
  return Array.from({ length: threads }, (_, t) => items.slice(Math.floor((t * items.length) / threads), Math.floor(((t + 1) * items.length) / threads)));
}

type StepResult = Extract<ThreadReply, { kind: 'result' }>;

/** The pool's result from the replies (null: thread had no tasks) and the output buffer (θ then rates per region). */
export function combineShares(
  theta: PackedLayout,
  rates: PackedLayout,
  output: Float32Array,
  replies: readonly (StepResult | null)[],
  n: number,
): PoolMetaGradient {
  const region = theta.size + rates.size;
  const sums = new Float64Array(region);
  const totals = { objective: 0, loss: 0, accuracy: 0, classification: false };
  replies.forEach((reply, t) => {
    if (reply === null) return;
    const mean = output.subarray(t * region, (t + 1) * region);
    for (let i = 0; i < region; i++) sums[i]! += reply.count * mean[i]!;
    totals.objective += reply.count * reply.objective;
    totals.loss += reply.count * reply.loss;
    if (reply.accuracy !== null) (totals.classification = true), (totals.accuracy += reply.count * reply.accuracy);
  });
  const means = Float32Array.from(sums, (s) => s / n);
  const copy = (views: HostParams) => Object.fromEntries(Object.entries(views).map(([name, v]) => [name, v.slice()]));
  return {
    grads: copy(unpackViews(theta, means)),
    rateGrads: copy(unpackViews(rates, means, theta.size)),
    objective: totals.objective / n,
    loss: totals.loss / n,
    accuracy: totals.classification ? totals.accuracy / n : null,
    tasks: n,
    threadMs: replies.map((reply) => reply?.ms ?? 0),
  };
}
