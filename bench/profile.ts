/**
 * Where a second-order meta-step spends its time on wasm: kernel time by kernel name (tf.profile)
 * for the meta-gradient of a few 5-way 1-shot tasks (1 inner step, 5 queries per class), and the
 * share of wall time no kernel accounts for (tape bookkeeping, JS, allocation).
 *
 *   npx tsx bench/profile.ts [--variant maxpool|strided] [--tasks 4] [--stock]
 */
import { disposeTask } from '../src/core/meta/synthetic-tasks.ts';
import { metaGradient } from '../src/core/meta/index.ts';
import { createNetwork } from '../src/core/nets/index.ts';
import { TaskSampler, buildImageTask } from '../src/core/tasks/index.ts';
import * as tf from '../src/core/tf.ts';
import { unregisterFastKernels } from '../src/kernels/index.ts';
import { selectBackend } from '../src/tf/backend.ts';
import { META, type Variant, conv4Spec, randomStore } from './our-cases.ts';

const argv = process.argv.slice(2);
const option = (name: string, fallback: string) => (argv.includes(name) ? (argv[argv.indexOf(name) + 1] ?? fallback) : fallback);
const variant = option('--variant', 'maxpool') as Variant;
const taskCount = Number(option('--tasks', '4'));
await selectBackend('wasm');
if (argv.includes('--stock')) unregisterFastKernels(tf);

const net = createNetwork(conv4Spec(variant, 5));
const params = net.init(0);
const store = randomStore(20);
const sampler = new TaskSampler(store, META.shape, 3);
const step = () => {
  const tasks = Array.from({ length: taskCount }, () => buildImageTask(store, sampler.nextPlan()));
  const { grads } = metaGradient(net, params, tasks, { steps: META.steps, lr: META.lr });
  tf.dispose(Object.values(grads));
  tasks.forEach(disposeTask);
};
step();
const t0 = performance.now();
step();
const wall = performance.now() - t0;
const profile = await tf.profile(step);
const scopes = new Set(['forward', 'backward', 'unnamed scope', '']);
const byKernel = new Map<string, { ms: number; calls: number }>();
for (const k of profile.kernels.filter((k) => !scopes.has(k.name))) {
  const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
  entry.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
  entry.calls += 1;
  byKernel.set(k.name, entry);
}
const kernelTotal = [...byKernel.values()].reduce((s, e) => s + e.ms, 0);
console.log(`${variant}, ${taskCount} tasks: wall ${wall.toFixed(0)} ms unprofiled; kernels ${kernelTotal.toFixed(0)} ms in ${profile.kernels.length} calls`);
for (const [name, { ms, calls }] of [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 18)) {
  console.log(`  ${name.padEnd(22)} ${ms.toFixed(1).padStart(8)} ms ${String(calls).padStart(6)} calls ${((100 * ms) / kernelTotal).toFixed(1).padStart(5)} %`);
}
tf.dispose(Object.values(params));
