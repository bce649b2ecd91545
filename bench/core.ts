/**
 * `npm run bench:core`: the core's speed on the wasm backend against PyTorch on the same shapes,
 * side by side in one run, printed as JSON (progress goes to stderr).
 *
 * For the max-pool and the strided Conv4 (28×28×1, 64 filters), median of ≥ 20 runs after warm-up:
 *  - adapt_5w1s: 5 SGD steps on 5 support images + class probabilities for 75 queries;
 *  - adapt_20w1s: the same for 20-way (20 support, 300 queries);
 *  - adapt_5w1s_fast, adapt_20w1s_fast: the same two on the path the API runs (src/core/serving.ts:
 *    the 5 steps in one native MamlConv4Adapt call, the queries through predictFast);
 *  - adapt_5w1s_head_only: head-only adaptation (5 steps; body features once), no queries;
 *    those three with the native kernels (src/kernels) and with TensorFlow.js's stock wasm kernels;
 *  - meta_step_so_32: a second-order meta-gradient of 32 tasks, 5-way 1-shot, 1 inner step, 5
 *    queries per class, on 1 thread (the core's metaGradient: one native MamlConv4MetaGradient
 *    call; `_tfjs_reference`: tfjs's second-order graph, 5 runs) and on a MetaGradientPool (2 threads).
 * After each variant's cases, ../shared/bench/torch_maml.py's cases for them (through
 * bench/torch_reference.py, /usr/bin/python3, --malloc tuned), and our/PyTorch time ratios (< 1: we
 * are faster).
 *
 *  - served_*: the shipped default model's serving path (models/omniglot.safetensors: max-pool,
 *    frozen batch norm, prototype head, 1 SGD step on the head), 5-way and 20-way 1-shot + 15
 *    queries per class, on the fast path the API runs (src/core/serving.ts) and on the tfjs
 *    reference; --no-served skips them, --only-served runs only them.
 * Adaptation cases run on 1 thread, then (except the tfjs reference rows) again with the native
 * kernels splitting each call over --kernel-threads N threads (default 2; `--kernel-threads 1`
 * for none): rows `*_2threads`, threads 2 — one request using both cores of an idle machine.
 * Each adaptation row has phases_ms (mean ms per run by phase: head_init, features, forward,
 * backward, update, metrics, queries; fold and head_steps on the fast path), and every
 * single-thread row kernel_calls (tfjs kernels one run dispatches) and top_kernels.
 *
 *   npm run bench:core [-- --quick] [--no-torch] [--no-stock] [--variants maxpool,strided] [--no-served] [--only-served] [--no-meta] [--cases a,b] [--kernel-threads 2]
 *                      [--threads 2] [--reps 20] [--meta-reps 20] [--stock-meta] [--torch-threads 2]
 * --no-meta skips the meta-steps (ours and PyTorch's). --stock-meta adds the pool meta-step with stock kernels (3 runs only: ~10× slower).
 * --torch-threads 1 compares with single-threaded PyTorch (our adaptation runs on one thread; on a
 * busy machine 2-thread PyTorch slows down many times over, see other_cores in the output).
 */
import os from 'node:os';
import { registerFastKernels, setKernelThreads, unregisterFastKernels } from '../src/kernels/index.ts';
import * as tf from '../src/core/tf.ts';
import { selectBackend } from '../src/tf/backend.ts';
import { type BenchCase, META, type Variant, adaptCases, metaCasePool, metaCaseSingleThread, randomStore, servedCases } from './our-cases.ts';
import { type Row, ratioRows, summaryLines } from './report.ts';
import { type RepeatOptions, round, timeRuns } from './stats.ts';
import { type TorchOutcome, runTorch } from './torch.ts';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const value = (name: string, fallback: string) => (argv.includes(name) ? (argv[argv.indexOf(name) + 1] ?? fallback) : fallback);
const quick = flag('--quick');
const reps = Number(value('--reps', quick ? '3' : '20'));
const metaReps = Number(value('--meta-reps', quick ? '2' : '20'));
const threads = Number(value('--threads', '2'));
const variants = value('--variants', 'maxpool,strided').split(',') as Variant[];
const kernelThreadCounts = value('--kernel-threads', '2')
  .split(',')
  .map(Number)
  .filter((n) => n > 1);
/** --cases a,b: only these adaptation cases (with --no-meta and --no-served: just them and PyTorch's counterparts). */
const onlyCases = flag('--cases') ? value('--cases', '').split(',') : undefined;
const adaptRuns: RepeatOptions = { warmup: quick ? 1 : 3, reps };
const metaRuns: RepeatOptions = { warmup: 1, reps: metaReps };
const log = (message: string) => process.stderr.write(`${message}\n`);

const started = performance.now();
const backend = await selectBackend('wasm');
log(`backend ${backend.name} ${backend.version}; ${backend.fastKernels?.reason ?? ''}`);
const rows: Row[] = [];

/** Kernels one run dispatches (tf.profile; the scopes of custom ops are not kernels), and the 6 costliest as "name×calls ms". */
async function kernelProfile(run: () => unknown): Promise<{ kernel_calls: number; top_kernels: string[] }> {
  const scopes = new Set(['forward', 'backward', 'unnamed scope', '']);
  const profile = await tf.profile(() => {
    run();
  });
  const byName = new Map<string, { calls: number; ms: number }>();
  // tf.profile also lists op scopes (`fusedConv2d__op`) and custom-op scopes around the kernels they run.
  for (const k of profile.kernels.filter((k) => !scopes.has(k.name) && !k.name.endsWith('__op'))) {
    const entry = byName.get(k.name) ?? { calls: 0, ms: 0 };
    entry.calls += 1;
    entry.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    byName.set(k.name, entry);
  }
  const calls = [...byName.values()].reduce((sum, e) => sum + e.calls, 0);
  const top = [...byName]
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, 6)
    .map(([name, e]) => `${name}×${e.calls} ${round(e.ms, 1)} ms`);
  return { kernel_calls: calls, top_kernels: top };
}

async function measure(variant: Variant, kernels: 'native' | 'stock', threadCount: number, benchCase: BenchCase, runs: RepeatOptions): Promise<void> {
  // Phases are summed over the timed runs only (reset when the warm-up ends).
  const phases = benchCase.phases;
  let calls = 0;
  const run = () => {
    if (phases && calls++ === runs.warmup) for (const key of Object.keys(phases)) delete phases[key];
    return benchCase.run();
  };
  const timing = await timeRuns(run, runs);
  const phases_ms = phases ? Object.fromEntries(Object.entries(phases).map(([p, ms]) => [p, round(ms / timing.n, 2)])) : undefined;
  const isMeta = benchCase.torch.startsWith('metatrain');
  // Kernel calls of one run (not for the worker-thread pool, whose kernels tf.profile does not see).
  const profiled: { kernel_calls?: number; top_kernels?: string[] } =
    !benchCase.name.startsWith('meta_step') || threadCount === 1 ? await kernelProfile(benchCase.run) : {};
  const row: Row = {
    variant,
    case: benchCase.name,
    kernels,
    threads: threadCount,
    ...timing,
    torch_case: benchCase.torch,
    ...(isMeta ? { tasks_per_s: round(META.metaBatch / (timing.median_ms / 1000)) } : {}),
    ...(benchCase.path ? { path: benchCase.path } : {}),
    ...(phases_ms ? { phases_ms } : {}),
    ...profiled,
  };
  rows.push(row);
  const phaseText = phases_ms
    ? `; ${Object.entries(phases_ms)
        .map(([p, ms]) => `${p} ${ms}`)
        .join(', ')} ms`
    : '';
  const kernelText = profiled.kernel_calls !== undefined ? `; ${profiled.kernel_calls} kernel calls (${profiled.top_kernels?.join(', ')})` : '';
  log(
    `${variant} ${kernels} ${benchCase.name}: median ${timing.median_ms} ms (n ${timing.n}, other processes ${timing.other_cores} cores)${phaseText}${kernelText}`,
  );
}

/** Measures adaptation cases with the native kernels on 1 thread, then on each of --kernel-threads (default 2) per call. */
async function measureAdaptation(variant: Variant, cases: BenchCase[], kernels: 'native' | 'stock'): Promise<void> {
  for (const benchCase of cases) await measure(variant, kernels, 1, benchCase, adaptRuns);
  if (kernels === 'stock') return;
  for (const count of kernelThreadCounts) {
    const previous = setKernelThreads(count);
    try {
      for (const benchCase of cases.filter((c) => !c.name.endsWith('_tfjs_reference'))) {
        await measure(variant, kernels, count, { ...benchCase, name: `${benchCase.name}_${count}threads` }, adaptRuns);
      }
    } finally {
      setKernelThreads(previous);
    }
  }
}

const torch: Partial<Record<Variant, TorchOutcome>> = {};
let torchMs = 0;
/**
 * PyTorch's cases for the rows of `variant` measured so far, run right after ours (not after every
 * variant): the shared machine's speed drifts by up to ~1.5× over minutes, so the pairs are kept close.
 */
async function torchFor(variant: Variant): Promise<void> {
  if (flag('--no-torch') || !rows.some((r) => r.variant === variant)) return;
  log(`PyTorch reference, ${variant}`);
  const t0 = performance.now();
  torch[variant] = await runTorch({
    strided: variant === 'strided',
    cases: [...new Set(rows.filter((r) => r.variant === variant).map((r) => r.torch_case))],
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
  torchMs += performance.now() - t0;
}

const store = randomStore();
// The shipped default model (max-pool, frozen batch norm, prototype head, 1 head step): its serving path.
if (!flag('--no-served')) {
  const cases = servedCases();
  await measureAdaptation('maxpool', cases, 'native');
  cases.forEach((c) => c.dispose());
}
for (const variant of flag('--only-served') ? [] : variants) {
  for (const kernels of flag('--no-stock') ? (['native'] as const) : (['native', 'stock'] as const)) {
    if (kernels === 'stock') unregisterFastKernels(tf);
    const cases = adaptCases(variant).filter((c) => !onlyCases || onlyCases.includes(c.name));
    await measureAdaptation(variant, cases, kernels);
    cases.forEach((c) => c.dispose());
    if (kernels === 'stock') registerFastKernels(tf);
  }
  if (!flag('--no-meta')) await measureMeta(variant);
  await torchFor(variant);
}
for (const variant of ['maxpool', 'strided'] as const) if (!torch[variant]) await torchFor(variant); // served rows without their variant's cases
const oursSeconds = (performance.now() - started - torchMs) / 1000;

/** The meta-step cases of `variant`: native on 1 thread, the tfjs reference (5 runs), the pool. */
async function measureMeta(variant: Variant): Promise<void> {
  const single = metaCaseSingleThread(variant, store);
  await measure(variant, 'native', 1, single, metaRuns);
  single.dispose();
  const reference = metaCaseSingleThread(variant, store, true);
  await measure(variant, 'native', 1, reference, { warmup: 1, reps: Math.min(metaRuns.reps, 5) });
  reference.dispose();
  const pooled = await metaCasePool(variant, store, threads);
  await measure(variant, 'native', threads, pooled, metaRuns);
  await pooled.dispose();
  if (flag('--stock-meta')) {
    const stock = await metaCasePool(variant, store, threads, false);
    await measure(variant, 'stock', threads, stock, { warmup: 1, reps: quick ? 1 : 3 });
    await stock.dispose();
  }
}

const results = ratioRows(rows, torch);
console.log(
  JSON.stringify(
    {
      summary: summaryLines(results),
      machine: {
        cpus: os.cpus().length,
        cpu: os.cpus()[0]?.model ?? 'unknown',
        node: process.version,
        tfjs: tf.version_core,
        loadavg_end: os.loadavg().map((l) => round(l)),
      },
      backend: { name: backend.name, version: backend.version, native_kernels: backend.fastKernels ?? null },
      settings: {
        quick,
        adapt: adaptRuns,
        meta: metaRuns,
        pool_threads: threads,
        meta_batch: META.metaBatch,
        queries_adapt_per_class: 15,
        queries_meta_per_class: META.shape.queries,
      },
      results,
      torch: Object.fromEntries(Object.entries(torch).map(([v, o]) => [v, o.ok ? o.run : { error: o.reason }])),
      seconds: { ours: round(oursSeconds, 1), total: round((performance.now() - started) / 1000, 1) },
    },
    null,
    2,
  ),
);
