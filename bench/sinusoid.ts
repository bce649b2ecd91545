/**
 * `npm run bench:sinusoid`: the MAML paper's sinusoid regression (§5.1) at its setting: MLP
 * 1-40-40-1, meta-batch 25, K=10, one inner step α=0.01, Adam; then 5- and 10-shot MSE after 10
 * fine-tuning steps on 100 unseen sinusoids, beside a network pre-trained on all tasks (paper:
 * MAML 0.35 (5-shot, our bound 0.5), pre-trained 2.19). Prints JSON.
 * Options: --iterations 6000, --meta-lr 0.003 (the paper: 70,000 at 0.001), --seed 1, --tasks 100.
 */
import { parseArgs } from 'node:util';
import { sinusoidExperiment } from '../src/core/experiments/sinusoid.ts';
import { selectBackend } from '../src/tf/backend.ts';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '6000' },
    'meta-lr': { type: 'string', default: '0.003' },
    seed: { type: 'string', default: '1' },
    tasks: { type: 'string', default: '100' },
  },
});
const backend = await selectBackend('auto');
const started = performance.now();
const options = { iterations: Number(values.iterations), metaLr: Number(values['meta-lr']), seed: Number(values.seed), evalTasks: Number(values.tasks) };
const result = sinusoidExperiment(options);
const round = (scores: Record<number, { mean: number; ci95: number }>) =>
  Object.fromEntries(Object.entries(scores).map(([shots, s]) => [`${shots}-shot`, { mse: +s.mean.toFixed(3), ci95: +s.ci95.toFixed(3) }]));
console.log(
  JSON.stringify({
    ...options,
    backend: backend.name,
    seconds: Math.round((performance.now() - started) / 1000),
    mamlAfter10Steps: round(result.maml),
    pretrainedAfter10Steps: round(result.pretrained),
    mamlBeforeAdaptation: round(result.mamlBeforeAdaptation),
    paper: { maml5shot: 0.35, pretrained5shot: 2.19 },
    target: { maml5shot: 0.5 },
  }),
);
