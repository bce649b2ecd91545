import { adapt } from '../../adapt.ts';
import { taskAccuracy, taskLoss } from '../../loss.ts';
import { optimizerStep } from '../../optim/optimizer.ts';
import * as tf from '../../tf.ts';
import type { Params } from '../../types.ts';
import { type MetaAlgorithm, type MetaConfigBase } from '../algorithm.ts';
import { clipByGlobalNorm } from '../clip.ts';
import { newMetaState } from '../state.ts';

/**
 * Reptile (Nichol et al. 2018): adapt θ to each task with plain SGD on its support set, then move
 * θ towards the mean adapted parameters. The pseudo-gradient θ − mean(θ′) goes to the outer
 * optimiser, so SGD with lr ε gives Reptile's θ ← θ + ε·(mean θ′ − θ). No second derivatives.
 * Metrics are the query loss / accuracy at θ′.
 */
export function reptile(config: MetaConfigBase): MetaAlgorithm {
  return {
    name: 'reptile',
    init: (params) => newMetaState(params, {}, config.optimizer),
    step: (net, state, tasks) => {
      const names = Object.keys(state.params);
      let sums: Params | null = null;
      let loss = 0;
      let accuracy: number | null = null;
      for (const task of tasks) {
        const adapted = adapt(net, state.params, { x: task.supportX, y: task.supportY }, { steps: config.innerSteps, lr: config.innerLr });
        const scores = tf.tidy(() => {
          const outputs = net.forward(adapted.params, task.queryX);
          const acc = taskAccuracy(outputs, task.queryY);
          return acc === null ? [taskLoss(outputs, task.queryY)] : [taskLoss(outputs, task.queryY), acc];
        });
        const [l, a] = scores.map((t) => t.dataSync()[0]!);
        tf.dispose(scores);
        loss += l! / tasks.length;
        if (a !== undefined) accuracy = (accuracy ?? 0) + a / tasks.length;
        const previous: Params | null = sums;
        sums = previous === null ? adapted.params : tf.tidy(() => Object.fromEntries(names.map((n) => [n, tf.add(previous[n]!, adapted.params[n]!)])));
        if (previous !== null) tf.dispose([...Object.values(previous), ...Object.values(adapted.params)]);
      }
      const total = sums!;
      const pseudo = tf.tidy(() => Object.fromEntries(names.map((n) => [n, tf.sub(state.params[n]!, tf.div(total[n]!, tasks.length))])));
      tf.dispose(Object.values(total));
      const { grads, norm } = clipByGlobalNorm(pseudo, config.clipNorm ?? Infinity);
      tf.dispose(Object.values(pseudo));
      const next = optimizerStep(config.optimizer, state.params, grads, state.optimizer);
      tf.dispose(Object.values(grads));
      const metrics = { loss, accuracy, objective: loss, gradNorm: norm, firstOrder: true };
      return { state: { params: next.params, rates: {}, optimizer: next.state, step: state.step + 1 }, metrics };
    },
  };
}
