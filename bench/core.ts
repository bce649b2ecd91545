/**
 * `npm run bench:core`: the core's speed on the wasm backend against PyTorch on the same shapes,
 * side by side in one run, printed as JSON (progress goes to stderr).
 *
 * For the max-pool and the strided Conv4 (28×28×1, 64 filters), median of ≥ 20 runs after warm-up:
 *  - adapt_5w1s: 5 SGD steps on 5 support images + class probabilities for 75 queries;
 *  - adapt_20w1s: the same for 20-way (20 support, 300 queries);
 *  - adapt_5w1s_head_only: head-only adaptation (5 steps; body features once), no queries;
 *    those three with the native kernels (src/kernels) and with TensorFlow.js's stock wasm kernels;
 *  - meta_step_so_32: a second-order meta-gradient of 32 tasks, 5-way 1-shot, 1 inner step, 5
 *    queries per class, on 1 thread (the core's metaGradient) and on a MetaGradientPool (2 threads).
 * Then ../shared/bench/torch_maml.py's cases (through bench/torch_reference.py, /usr/bin/python3,
 * --malloc tuned), and our/PyTorch time ratios (< 1: we are faster).
 *
 *   npm run bench:core [-- --quick] [--no-torch] [--no-stock] [--variants maxpool,strided]
 *                      [--threads 2] [--reps 20] [--meta-reps 20] [--stock-meta] [--torch-threads 2]
 * --stock-meta adds the pool meta-step with stock kernels (3 runs only: ~10× slower).
 * --torch-threads 1 compares with single-threaded PyTorch (our adaptation runs on one thread; on a
 * busy machine 2-thread PyTorch slows down many times over, see other_cores in the output).
 */
import os from 'node:os';
import { registerFastKernels, unregisterFastKernels } from '../src/kernels/index.ts';
import * as tf from '../src/core/tf.ts';
import { selectBackend } from '../src/tf/backend.ts';
import { type BenchCase, META, type Variant, adaptCases, metaCasePool, metaCaseSingleThread, randomStore } from './our-cases.ts';
import { type Row, ratioRows, summaryLines } from './report.ts';
import { type RepeatOptions, round, timeRuns } from './stats.ts';
import { type TorchOutcome, runTorch } from './torch.ts';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const value = (name: string, fallback: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] ?? fallback : fallback);
const quick = flag('--quick');
const reps = Number(value('--reps', quick ? '3' : '20'));
const metaReps = Number(value('--meta-reps', quick ? '2' : '20'));
const threads = Number(value('--threads', '2'));
const variants = value('--variants', 'maxpool,strided').split(',') as Variant[];
const adaptRuns: RepeatOptions = { warmup: quick ? 1 : 3, reps };
const metaRuns: RepeatOptions = { warmup: 1, reps: metaReps };
const log = (message: string) => process.stderr.write(`${message}\n`);

const started = performance.now();
const backend = await selectBackend('wasm');
log(`backend ${backend.name} ${backend.version}; ${backend.fastKernels?.reason ?? ''}`);
const rows: Row[] = [];

async function measure(variant: Variant, kernels: 'native' | 'stock', threadCount: number, benchCase: BenchCase, runs: RepeatOptions): Promise<void> {
  const timing = await timeRuns(benchCase.run, runs);
  const isMeta = benchCase.torch.startsWith('metatrain');
  const row: Row = { variant, case: benchCase.name, kernels, threads: threadCount, ...timing, torch_case: benchCase.torch, ...(isMeta ? { tasks_per_s: round(META.metaBatch / (timing.median_ms / 1000)) } : {}) };
  rows.push(row);
  log(`${variant} ${kernels} ${benchCase.name}: median ${timing.median_ms} ms (n ${timing.n}, other processes ${timing.other_cores} cores)`);
}

const store = randomStore();
for (const variant of variants) {
  for (const kernels of flag('--no-stock') ? (['native'] as const) : (['native', 'stock'] as const)) {
    if (kernels === 'stock') unregisterFastKernels(tf);
    const cases = adaptCases(variant);
    for (const benchCase of cases) await measure(variant, kernels, 1, benchCase, adaptRuns);
    cases.forEach((c) => c.dispose());
    if (kernels === 'stock') registerFastKernels(tf);
  }
  const single = metaCaseSingleThread(variant, store);
  await measure(variant, 'native', 1, single, metaRuns);
  single.dispose();
  const pooled = await metaCasePool(variant, store, threads);
  await measure(variant, 'native', threads, pooled, metaRuns);
  await pooled.dispose();
  if (flag('--stock-meta')) {
    const stock = await metaCasePool(variant, store, threads, false);
    await measure(variant, 'stock', threads, stock, { warmup: 1, reps: quick ? 1 : 3 });
    await stock.dispose();
  }
}
const oursSeconds = (performance.now() - started) / 1000;

const torch: Partial<Record<Variant, TorchOutcome>> = {};
if (!flag('--no-torch')) {
  for (const variant of variants) {
    log(`PyTorch reference, ${variant}`);
    torch[variant] = await runTorch({
      strided: variant === 'strided',
      cases: [...new Set(rows.map((r) => r.torch_case))],
      reps: quick ? 3 : 20,
      repsTrain: quick ? 2 : 20,
      warmup: quick ? 1 : 3,
      warmupTrain: 1,
      tries: 1,
      maxIdleWait: quick ? 4 : 15,
      maxSeconds: quick ? 20 : 90,
      threads: Number(value('--torch-threads', '2')),
      onProgress: (line) => log(`  torch: ${line}`),
    });
  }
}

const results = ratioRows(rows, torch);
console.log(
  JSON.stringify(
    {
      summary: summaryLines(results),
      machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version, tfjs: tf.version_core, loadavg_end: os.loadavg().map((l) => round(l)) },
      backend: { name: backend.name, version: backend.version, native_kernels: backend.fastKernels ?? null },
      settings: { quick, adapt: adaptRuns, meta: metaRuns, pool_threads: threads, meta_batch: META.metaBatch, queries_adapt_per_class: 15, queries_meta_per_class: META.shape.queries },
      results,
      torch: Object.fromEntries(Object.entries(torch).map(([v, o]) => [v, o.ok ? o.run : { error: o.reason }])),
      seconds: { ours: round(oursSeconds, 1), total: round((performance.now() - started) / 1000, 1) },
    },
    null,
    2,
  ),
);
