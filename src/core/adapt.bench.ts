/**
 * Adaptation speed on the wasm backend (not a test). Median ms after warm-up of
 *  - 5-way 1-shot, conv4 max-pool 64 filters 28×28: 5 SGD steps on 5 support images + predict 75 queries;
 *  - the same with only the head adapted (body features computed once), without and with the queries;
 *  - the two parts alone (adapt; predict 75).
 * Run: npx tsx src/core/adapt.bench.ts [--reps N] [--strided] [--profile]   (--profile: kernel time per part)
 */
import '@tensorflow/tfjs-backend-wasm';
import { adapt, predict } from './adapt.ts';
import { disposeTask, randomImageTask } from './meta/synthetic-tasks.ts';
import { createNetwork } from './nets/index.ts';
import * as tf from './tf.ts';

const args = process.argv.slice(2);
const reps = Number(args[args.indexOf('--reps') + 1]) || 15;
await tf.setBackend('wasm');

const variant = args.includes('--strided') ? 'strided' : 'maxpool';
const net = createNetwork({ kind: 'conv4', variant, inputSize: 28, channels: 1, filters: 64, outputs: 5, headInit: 'random' });
const params = net.init(0);
const task = randomImageTask({ ways: 5, shots: 1, queries: 15, size: 28, channels: 1 }, 0);
const support = { x: task.supportX, y: task.supportY };

const adaptOnly = (only?: readonly string[]) => () =>
  tf.dispose(Object.values(adapt(net, params, support, { steps: 5, lr: 0.4, ...(only ? { only } : {}) }).params));
const adaptThenPredict = (only?: readonly string[]) => () => {
  const { params: adapted } = adapt(net, params, support, { steps: 5, lr: 0.4, ...(only ? { only } : {}) });
  const probabilities = predict(net, adapted, task.queryX);
  probabilities.dataSync();
  tf.dispose([probabilities, ...Object.values(adapted)]);
};

const cases: [string, () => void][] = [
  [`${variant}: adapt 5w1s, 5 steps + predict 75`, adaptThenPredict()],
  [`${variant}: head-only adapt 5w1s, 5 steps`, adaptOnly(net.headNames)],
  [`${variant}: head-only adapt 5w1s, 5 steps + predict 75`, adaptThenPredict(net.headNames)],
  [`${variant}: adapt 5w1s, 5 steps (no queries)`, adaptOnly()],
  [
    `${variant}: predict 75`,
    () => {
      const probabilities = predict(net, params, task.queryX);
      probabilities.dataSync();
      probabilities.dispose();
    },
  ],
];

for (const [name, run] of cases) {
  for (let i = 0; i < 3; i++) run();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(`${name}: median ${times[Math.floor(reps / 2)]!.toFixed(1)} ms (min ${times[0]!.toFixed(1)}, n ${reps})`);
}

if (args.includes('--profile')) {
  for (const [name, run] of [cases[3]!, cases[4]!]) {
    const profile = await tf.profile(run);
    const byKernel = new Map<string, { ms: number; calls: number }>();
    const scopes = new Set(['forward', 'backward', 'unnamed scope', '']); // customGrad scopes: their time includes nested kernels
    for (const k of profile.kernels.filter((k) => !scopes.has(k.name))) {
      const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
      entry.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      entry.calls += 1;
      byKernel.set(k.name, entry);
    }
    const total = [...byKernel.values()].reduce((a, e) => a + e.ms, 0);
    console.log(`\n${name}: kernel time ${total.toFixed(1)} ms in ${profile.kernels.length} kernel calls (ms, share, calls):`);
    for (const [kernel, { ms, calls }] of [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)) {
      console.log(`  ${kernel.padEnd(22)} ${ms.toFixed(1).padStart(7)} ${((100 * ms) / total).toFixed(0).padStart(4)}% ${String(calls).padStart(5)}`);
    }
  }
}

tf.dispose(Object.values(params));
disposeTask(task);
