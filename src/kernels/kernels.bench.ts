/**
 * Stock tfjs-backend-wasm kernels against the native ones, side by side in one process:
 * GFLOP/s for the Conv4 shapes (forward, and the convolutions its gradients run), the im2col
 * matMul in all four transpose forms, and one whole 5-way 1-shot adaptation (5 SGD steps on 5
 * images + a forward pass on 75 queries) of the max-pool and strided Conv4.
 *
 *   npx tsx src/kernels/kernels.bench.ts [--reps 7] [--no-adapt]
 *
 * wasm runs synchronously, so an op is timed from call to return (no dataSync copy); inputs are
 * made once, outputs disposed every repetition. Report medians; the machine is shared, so only
 * compare numbers printed by one run.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { adapt, predict } from '../core/adapt.ts';
import { conv4 } from '../core/nets/conv4.ts';
import { registerFastKernels, unregisterFastKernels } from './index.ts';

const args = process.argv.slice(2);
const reps = Number(args[args.indexOf('--reps') + 1] ?? 7) || 7;

interface Case {
  readonly label: string;
  readonly flop: number;
  readonly run: () => tf.Tensor | tf.Tensor[] | void;
}

function median(run: () => unknown, n: number): number {
  run(); // warm-up: operator caches, heap growth
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const out = run();
    times.push(performance.now() - t0);
    if (out) tf.dispose(out as tf.Tensor | tf.Tensor[]);
  }
  return times.sort((a, b) => a - b)[Math.floor(n / 2)]!;
}

type Shape4 = [number, number, number, number];

function convCase(label: string, x: Shape4, w: Shape4, stride: number, pad: 'same' | 'valid' | number): Case {
  const xt = tf.randomUniform(x, -1, 1) as tf.Tensor4D,
    wt = tf.randomUniform(w, -1, 1) as tf.Tensor4D;
  const out = tf.conv2d(xt, wt, stride, pad);
  const flop = 2 * out.size * w[0] * w[1] * w[2];
  out.dispose();
  return { label, flop, run: () => tf.conv2d(xt, wt, stride, pad) };
}

function matMulCase(m: number, k: number, n: number, ta: boolean, tb: boolean): Case {
  const a = tf.randomUniform(ta ? [k, m] : [m, k], -1, 1),
    b = tf.randomUniform(tb ? [n, k] : [k, n], -1, 1);
  const form = `${ta ? 'Aᵀ' : 'A'}·${tb ? 'Bᵀ' : 'B'}`;
  return { label: `matMul ${m}×${k}·${k}×${n} ${form}`, flop: 2 * m * n * k, run: () => tf.matMul(a, b, ta, tb) };
}

function adaptationCase(variant: 'maxpool' | 'strided', gflop: number): Case {
  const net = conv4({ kind: 'conv4', variant, inputSize: 28, channels: 1, filters: 64, outputs: 5, headInit: 'random' });
  const params = net.init(1);
  const support = { x: tf.randomUniform([5, 28, 28, 1], 0, 1) as tf.Tensor4D, y: tf.tensor1d([0, 1, 2, 3, 4], 'int32') };
  const queries = tf.randomUniform([75, 28, 28, 1], 0, 1) as tf.Tensor4D;
  return {
    label: `adapt 5-way 1-shot, Conv4 ${variant} (5 steps + 75 queries)`,
    flop: gflop * 1e9,
    run: () => {
      const adapted = adapt(net, params, support, { steps: 5, lr: 0.4 });
      const probabilities = predict(net, adapted.params, queries);
      tf.dispose(Object.values(adapted.params));
      return probabilities;
    },
  };
}

await tf.setBackend('wasm');
const cases: Case[] = [
  convCase('conv 25×28×28×64 3×3→64 same', [25, 28, 28, 64], [3, 3, 64, 64], 1, 'same'),
  convCase('conv 5×14×14×64 3×3→64 same', [5, 14, 14, 64], [3, 3, 64, 64], 1, 'same'),
  convCase('conv 25×28×28×64 3×3→64 stride 2', [25, 28, 28, 64], [3, 3, 64, 64], 2, 'same'),
  convCase('conv 25×28×28×1 3×3→64 (first layer)', [25, 28, 28, 1], [3, 3, 1, 64], 1, 'same'),
  convCase('filter-grad conv 64×30×30×25 ⋆ 28×28×25×64', [64, 30, 30, 25], [28, 28, 25, 64], 1, 'valid'),
  convCase('filter-grad conv 64×16×16×5 ⋆ 14×14×5×64', [64, 16, 16, 5], [14, 14, 5, 64], 1, 'valid'),
  ...(
    [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const
  ).map(([ta, tb]) => matMulCase(19600, 576, 64, ta, tb)),
  matMulCase(75, 64, 5, false, true),
];
if (!args.includes('--no-adapt')) cases.push(adaptationCase('maxpool', 2.92), adaptationCase('strided', 0.79));

const registration = registerFastKernels(tf);
console.log(`native kernels: ${registration.registered.join(', ') || 'none'} (${registration.reason}); ${reps} repetitions, medians`);
if (registration.registered.length === 0) process.exit(1);

const rows = cases.map((c) => {
  unregisterFastKernels(tf);
  const stock = median(c.run, c.flop > 5e9 ? Math.min(reps, 3) : reps);
  registerFastKernels(tf);
  const fast = median(c.run, reps);
  const gflops = (ms: number) => (c.flop / ms / 1e6).toFixed(1);
  return {
    case: c.label,
    'stock ms': stock.toFixed(2),
    'stock GFLOP/s': gflops(stock),
    'native ms': fast.toFixed(2),
    'native GFLOP/s': gflops(fast),
    speed: `${(stock / fast).toFixed(1)}×`,
  };
});
console.table(rows);
