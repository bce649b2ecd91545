/**
 * Few-shot evaluation: adapt to each task's support set, score its queries, and summarise over
 * tasks as mean ± 95 % CI (1.96·σ/√n). Classification reports accuracy; regression reports MSE.
 */
import { adapt, type InnerLearningRate } from './adapt.ts';
import { taskAccuracy, taskLoss } from './loss.ts';
import { meanConfidence, type MeanConfidence } from './tasks/confidence.ts';
import * as tf from './tf.ts';
import type { Network, Params, Task } from './types.ts';

export interface EvaluateOptions {
  readonly steps: number;
  readonly lr: InnerLearningRate;
  /** Adapt only these parameters (head-only evaluation). */
  readonly only?: readonly string[];
  /**
   * How queries are normalised: 'batch' (their own batch statistics, as MAML evaluates:
   * transductive) or 'support' (the adapted network's moments on the support set: each query
   * scored on its own, as a service answers one image). Default 'batch'.
   */
  readonly normalization?: 'batch' | 'support';
}

export interface Evaluation {
  /** Query accuracy over tasks (null for regression). */
  readonly accuracy: MeanConfidence | null;
  /** Query loss over tasks (cross-entropy, or MSE for regression). */
  readonly loss: MeanConfidence;
}

/** An evaluation as a metrics row (model metadata, job results): means, CI half-widths, task count. */
export function summarizeEvaluation(e: Evaluation) {
  return { accuracy: e.accuracy?.mean ?? null, ci95: e.accuracy?.ci95 ?? null, loss: e.loss.mean, lossCi95: e.loss.ci95, tasks: e.loss.n };
}

/** One task: adapted θ′, then the query loss and accuracy at θ′. Leaves no tensors behind. */
export function evaluateTask<X extends tf.Tensor>(
  net: Network<X>,
  params: Params,
  task: Task<X>,
  options: EvaluateOptions,
): { loss: number; accuracy: number | null } {
  const adapted = adapt(
    net,
    params,
    { x: task.supportX, y: task.supportY },
    { steps: options.steps, lr: options.lr, ...(options.only ? { only: options.only } : {}) },
  );
  try {
    const scores = tf.tidy(() => {
      const moments = options.normalization === 'support' && net.moments ? net.moments(adapted.params, task.supportX) : undefined;
      const outputs = net.forward(adapted.params, task.queryX, moments ? { moments } : {});
      const accuracy = taskAccuracy(outputs, task.queryY);
      return accuracy ? [taskLoss(outputs, task.queryY), accuracy] : [taskLoss(outputs, task.queryY)];
    });
    const [loss, accuracy] = scores.map((t) => t.dataSync()[0]!);
    tf.dispose(scores);
    return { loss: loss!, accuracy: accuracy ?? null };
  } finally {
    tf.dispose(Object.values(adapted.params));
  }
}

/** Evaluates over tasks produced one at a time by `taskAt(i)` (each disposed after use). */
export function evaluate<X extends tf.Tensor>(
  net: Network<X>,
  params: Params,
  count: number,
  taskAt: (index: number) => Task<X>,
  options: EvaluateOptions,
): Evaluation {
  const losses = new Float64Array(count);
  const accuracies = new Float64Array(count);
  let classification = true;
  for (let i = 0; i < count; i++) {
    const task = taskAt(i);
    try {
      const result = evaluateTask(net, params, task, options);
      losses[i] = result.loss;
      if (result.accuracy === null) classification = false;
      else accuracies[i] = result.accuracy;
    } finally {
      tf.dispose([task.supportX, task.supportY, task.queryX, task.queryY]);
    }
  }
  return { loss: meanConfidence(losses), accuracy: classification ? meanConfidence(accuracies) : null };
}
