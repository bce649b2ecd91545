/**
 * Adaptation speed on the wasm backend (not a test): median ms after warm-up of
 *  - full: 5-way 1-shot, conv4 max-pool 64 filters 28×28, 5 SGD steps on 5 support images + predict 75 queries;
 *  - head-only: the same with only the head adapted (body features computed once), without and with the queries.
 * Run: npx tsx src/core/adapt.bench.ts [--reps N] [--profile]
 */
import '@tensorflow/tfjs-backend-wasm';
import { adapt, predict } from './adapt.ts';
import { disposeTask, randomImageTask } from './meta/synthetic_tasks.ts';
import { createNetwork } from './nets/index.ts';
import * as tf from './tf.ts';

const args = process.argv.slice(2);
const reps = Number(args[args.indexOf('--reps') + 1] ?? 15) || 15;
await tf.setBackend('wasm');

const net = createNetwork({ kind: 'conv4', variant: 'maxpool', inputSize: 28, channels: 1, filters: 64, outputs: 5, headInit: 'random' });
const params = net.init(0);
const task = randomImageTask({ ways: 5, shots: 1, queries: 15, size: 28, channels: 1 }, 0);
const support = { x: task.supportX, y: task.supportY };

const cases: Record<string, () => void> = {
  'adapt 5w1s, 5 steps + predict 75': () => {
    const { params: adapted } = adapt(net, params, support, { steps: 5, lr: 0.4 });
    const probs = predict(net, adapted, task.queryX);
    probs.dataSync();
    tf.dispose([probs, ...Object.values(adapted)]);
  },
  'head-only adapt 5w1s, 5 steps': () => {
    const { params: adapted } = adapt(net, params, support, { steps: 5, lr: 0.4, only: net.headNames });
    tf.dispose(Object.values(adapted));
  },
  'head-only adapt 5w1s, 5 steps + predict 75': () => {
    const { params: adapted } = adapt(net, params, support, { steps: 5, lr: 0.4, only: net.headNames });
    const probs = predict(net, adapted, task.queryX);
    probs.dataSync();
    tf.dispose([probs, ...Object.values(adapted)]);
  },
  'predict 75': () => {
    const probs = predict(net, params, task.queryX);
    probs.dataSync();
    probs.dispose();
  },
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

for (const [name, run] of Object.entries(cases)) {
  for (let i = 0; i < 3; i++) run();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  console.log(`${name}: median ${median(times).toFixed(1)} ms (min ${Math.min(...times).toFixed(1)}, n ${reps})`);
}

if (args.includes('--profile')) {
  const run = cases['adapt 5w1s, 5 steps + predict 75']!;
  const profile = await tf.profile(() => run());
  const byKernel = new Map<string, { ms: number; calls: number }>();
  const scopes = new Set(['forward', 'backward', 'unnamed scope', '']); // customGrad scopes: their time includes nested kernels
  for (const k of profile.kernels.filter((k) => !scopes.has(k.name))) {
    const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    entry.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    entry.calls += 1;
    byKernel.set(k.name, entry);
  }
  const rows = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15);
  console.log('kernel time (ms, calls) for one full adaptation:');
  for (const [name, { ms, calls }] of rows) console.log(`  ${name.padEnd(22)} ${ms.toFixed(1).padStart(7)} ${String(calls).padStart(5)}`);
}

tf.dispose(Object.values(params));
disposeTask(task);
