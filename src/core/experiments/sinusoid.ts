/**
 * The MAML paper's sinusoid experiment (§5.1): an MLP 1-40-40-1 (ReLU) meta-trained with MAML on
 * sinusoids (amplitude U[0.1,5], phase U[0,π], x U[−5,5], K=10 support and 10 query points, one
 * inner step α=0.01, Adam), against the same network pre-trained by plain regression on the same
 * tasks pooled together. Both are then fine-tuned on K points of unseen sinusoids with SGD at α and
 * scored by MSE on 100 points over the whole input range after each of the fine-tuning steps.
 */
import { evaluate } from '../evaluate.ts';
import { taskLoss } from '../loss.ts';
import { createMetaAlgorithm } from '../meta/registry.ts';
import { disposeMetaState } from '../meta/state.ts';
import { valueAndGradients, zipParams } from '../meta/gradients.ts';
import { createNetwork } from '../nets/index.ts';
import { optimizerInit, optimizerStep, disposeOptimizerState } from '../optim/optimizer.ts';
import { buildSinusoidTask, planSinusoidTask, type SinusoidTask } from '../tasks/sinusoid.ts';
import type { MeanConfidence } from '../tasks/confidence.ts';
import * as tf from '../tf.ts';
import type { Network, Params } from '../types.ts';

export interface SinusoidExperimentOptions {
  readonly iterations: number;
  readonly metaBatchSize?: number;
  readonly metaLr?: number;
  readonly innerLr?: number;
  readonly seed: number;
  /** Shots to evaluate with (default [5, 10]). */
  readonly shots?: readonly number[];
  readonly evalTasks?: number;
  /** Fine-tuning steps at evaluation (default 10). */
  readonly evalSteps?: number;
}

/** MSE after `evalSteps` fine-tuning steps, per shot count. */
export interface SinusoidScores {
  readonly [shots: number]: MeanConfidence;
}

export interface SinusoidExperimentResult {
  readonly maml: SinusoidScores;
  readonly pretrained: SinusoidScores;
  /** MAML's MSE with no fine-tuning (the meta-learned prior alone), per shot count. */
  readonly mamlBeforeAdaptation: SinusoidScores;
}

const SPEC = { kind: 'mlp', inputs: 1, hidden: [40, 40], outputs: 1 } as const;
const streams = (seed: number) => ({ train: seed, test: (seed ^ 0x2545f491) >>> 0 });
const dispose = (tasks: readonly SinusoidTask[]) => tf.dispose(tasks.flatMap((t) => [t.supportX, t.supportY, t.queryX, t.queryY]));

export function sinusoidExperiment(options: SinusoidExperimentOptions): SinusoidExperimentResult {
  const { iterations, seed } = options;
  const metaBatchSize = options.metaBatchSize ?? 25;
  const metaLr = options.metaLr ?? 0.001;
  const innerLr = options.innerLr ?? 0.01;
  const net = createNetwork(SPEC) as Network<tf.Tensor2D>;
  const batch = (i: number) =>
    Array.from({ length: metaBatchSize }, (_, k) =>
      buildSinusoidTask(planSinusoidTask({ kShot: 10, queries: 10 }, streams(seed).train, i * metaBatchSize + k)),
    );

  const algorithm = createMetaAlgorithm({ kind: 'maml', innerSteps: 1, innerLr, optimizer: { kind: 'adam', lr: metaLr } });
  const initial = net.init(seed);
  let state = algorithm.init(initial);
  let pretrained = Object.fromEntries(Object.entries(initial).map(([n, t]) => [n, tf.clone(t)])) as Params;
  let pretrainOptimizer = optimizerInit({ kind: 'adam', lr: metaLr }, pretrained);
  tf.dispose(Object.values(initial));
  try {
    for (let i = 0; i < iterations; i++) {
      const tasks = batch(i);
      try {
        const next = algorithm.step(net, state, tasks);
        disposeMetaState(state);
        state = next.state;
        const names = Object.keys(pretrained);
        const grads = tf.tidy(() => {
          const x = tf.concat(tasks.flatMap((t) => [t.supportX, t.queryX]));
          const y = tf.concat(tasks.flatMap((t) => [t.supportY, t.queryY]));
          const weights = names.map((n) => pretrained[n]!);
          return zipParams(names, valueAndGradients(() => taskLoss(net.forward(zipParams(names, weights), x), y), weights).grads);
        });
        const step = optimizerStep({ kind: 'adam', lr: metaLr }, pretrained, grads, pretrainOptimizer);
        tf.dispose([...Object.values(grads), ...Object.values(pretrained)]);
        disposeOptimizerState(pretrainOptimizer);
        ({ params: pretrained, state: pretrainOptimizer } = step);
      } finally {
        dispose(tasks);
      }
    }
    const score = (params: Params, steps: number) =>
      Object.fromEntries(
        (options.shots ?? [5, 10]).map((shots) => {
          const taskAt = (i: number) => buildSinusoidTask(planSinusoidTask({ kShot: shots, queries: 100 }, streams(seed).test, i));
          return [shots, evaluate(net, params, options.evalTasks ?? 100, taskAt, { steps, lr: innerLr }).loss];
        }),
      );
    const evalSteps = options.evalSteps ?? 10;
    return { maml: score(state.params, evalSteps), pretrained: score(pretrained, evalSteps), mamlBeforeAdaptation: score(state.params, 0) };
  } finally {
    disposeMetaState(state);
    tf.dispose(Object.values(pretrained));
    disposeOptimizerState(pretrainOptimizer);
  }
}
