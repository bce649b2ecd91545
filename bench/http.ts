/**
 * `npm run bench:http`: /adapt and /predict through real HTTP (multipart uploads of Omniglot PNGs)
 * against a local API with its inference threads, PostgreSQL and Redis, on the models shipped in
 * models/ (the default `omniglot`, and the MAML baseline `omniglot-5way`, whose /adapt runs all-layer
 * steps). Prints JSON: per case and concurrency, client latency p50/p90 and the server's time split
 * into phases (p50 of each, from the Server-Timing header: upload, resolve, redis, queue, dispatch,
 * decode, adapt/predict, encode, total; see src/api/routes/sessions/server-timing.ts), the API's
 * event-loop delay p99 while the client's measured rounds run (beyond the 5 ms sampling interval,
 * which monitorEventLoopDelay counts in: an idle loop reads ~5.1 ms; the client process's start-up
 * and warm-up round are left out), the API main thread's own time per round (one /adapt and one
 * /predict): `busyMs` from its event-loop utilisation, `cpuMs` from the kernel's count for that
 * thread (Linux; steadier than wall time when the machine is shared), the client's FormData
 * encoding per body (outside the latencies; bench/http/client.ts) and Redis bytes per session;
 * then issue 18's checks at concurrency 1:
 *  - /adapt 5w1s with 5 PNGs: client latency minus the in-process work (decode + adapt + encode,
 *    what a caller of the core would run) ≤ 5 ms;
 *  - /predict of one image: server time (total) ≤ 5 ms.
 * The client is a separate process (bench/http/client.ts), as a real one is: its multipart
 * encoding and answer parsing never run on the API's event loop.
 * Options: --rounds N (default 30), --warmup N (default 10): each case and concurrency first runs N
 * unrecorded rounds, after 100 unrecorded rounds per model that warm the API's request path (below).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createApiKey } from '../src/api/auth/api-keys.ts';
import { seedModels } from '../src/shared/models/seed.ts';
import { buildTestApp, createTestDatabase } from '../test/helpers/env.ts';
import type { Samples, Scenario } from './http/client.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '30' }, warmup: { type: 'string', default: '10' } } });
const rounds = Number(values.rounds);
const warmup = Number(values.warmup);
const omniglot = process.env.OMNIGLOT_DIR ?? path.resolve(import.meta.dirname, '../../shared/data/omniglot');
const THREADS = 2;

const database = await createTestDatabase();
// The rate limit stays on (its Redis round trip is part of `accept`), high enough for the bench's requests.
const t = await buildTestApp(database.url, { INFERENCE_THREADS: String(THREADS), LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '1000000' });
await seedModels(t.db, t.deps.store, path.resolve(import.meta.dirname, '../models'));
const key = (await createApiKey(t.db, 'client')).key;
const base = await t.app.listen({ port: 0, host: '127.0.0.1' });

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const round = (x: number) => Math.round(x * 100) / 100;
const p50p90 = (xs: number[]) => ({ p50: round(percentile(xs, 50)), p90: round(percentile(xs, 90)) });

/** p50 of every Server-Timing phase over the recorded requests. */
function phaseMedians(timings: Record<string, number>[]): Record<string, number> {
  const names = [...new Set(timings.flatMap((t) => Object.keys(t)))];
  return Object.fromEntries(
    names.map((n) => [
      n,
      round(
        percentile(
          timings.map((t) => t[n] ?? 0),
          50,
        ),
      ),
    ]),
  );
}

interface Case {
  readonly model: string;
  readonly ways: number;
  readonly shots: number;
  /** Images per /predict request. */
  readonly queries: number;
}

const LAG_RESOLUTION_MS = 5;

/** CPU time of this process's main thread so far, ms (Linux: /proc schedstat; elsewhere null). */
function mainThreadCpuMs(): number | null {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return null;
  }
}

/** Runs the client; `onWarm` when it reports its warm-up round done. Resolves with its stdout. */
function runClient(scenario: Scenario, onWarm: () => void): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'http', 'client.ts')], {
    env: { ...process.env, BENCH_HTTP_SCENARIO: JSON.stringify(scenario) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    const before = stderr;
    stderr += chunk.toString();
    if (!before.includes('warm\n') && stderr.includes('warm\n')) onWarm();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`bench client exited with ${code}: ${stderr}`))));
  });
}

/** One case at one concurrency: the client runs in a process of its own (bench/http/client.ts). */
async function scenario({ model, ways, shots, queries }: Case, concurrency: number) {
  const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  const scenario: Scenario = { base, key, omniglot, model, ways, shots, queries, concurrency, rounds, warmup };
  let elu = performance.eventLoopUtilization();
  let cpu = mainThreadCpuMs();
  const stdout = await runClient(scenario, () => {
    lag.enable();
    elu = performance.eventLoopUtilization();
    cpu = mainThreadCpuMs();
  });
  lag.disable();
  const busy = performance.eventLoopUtilization(elu);
  const cpuEnd = mainThreadCpuMs();
  const perRound = rounds * concurrency;
  const samples = JSON.parse(stdout) as Samples;
  return {
    case: `${model} ${ways}-way ${shots}-shot, /predict of ${queries} image${queries === 1 ? '' : 's'}`,
    concurrency,
    adapt: {
      latencyMs: p50p90(samples.adaptMs),
      inProcessMs: p50p90(samples.inProcessMs),
      overMs: p50p90(samples.adaptMs.map((ms, i) => ms - samples.inProcessMs[i]!)),
      serverPhasesMs: phaseMedians(samples.adaptPhases),
    },
    predict: { latencyMs: p50p90(samples.predictMs), serverPhasesMs: phaseMedians(samples.predictPhases) },
    /** The API's main thread per round (one /adapt, one /predict) over the measured rounds. */
    apiMainThreadMsPerRound: { busyMs: round(busy.active / perRound), cpuMs: cpu === null || cpuEnd === null ? null : round((cpuEnd - cpu) / perRound) },
    /** The client's FormData encoding of a body (not in the latencies). */
    clientEncodeMs: { adapt: p50p90(samples.adaptEncodeMs), predict: p50p90(samples.predictEncodeMs) },
    /** The API process's event loop during the measured rounds (the client has its own), beyond the sampling interval. */
    eventLoopLagP99Ms: round(Math.max(0, lag.percentile(99) / 1e6 - LAG_RESOLUTION_MS)),
    redisBytesPerSession: await t.deps.sessions.bytesUsed(samples.sessionId),
  };
}

const cases: Case[] = [
  { model: 'omniglot', ways: 5, shots: 1, queries: 1 },
  { model: 'omniglot', ways: 5, shots: 1, queries: 10 },
  { model: 'omniglot', ways: 20, shots: 5, queries: 10 },
  { model: 'omniglot-5way', ways: 5, shots: 1, queries: 1 },
];
// The API's request path warmed as a long-running server's is (V8 optimises it over hundreds of
// requests: 10 warm-up rounds of the first case still left its accept phase ~0.5 ms slower than the
// same request's in the last case): 100 unrecorded /adapt + /predict rounds per model first.
for (const model of new Set(cases.map((c) => c.model))) {
  await runClient({ base, key, omniglot, model, ways: 5, shots: 1, queries: 1, concurrency: 1, rounds: 0, warmup: 100 }, () => undefined);
}
const results: Awaited<ReturnType<typeof scenario>>[] = [];
for (const c of cases) for (const concurrency of [1, 4]) results.push(await scenario(c, concurrency));

const at1 = (model: string, ways: number, queries: number) =>
  results.find((r) => r.concurrency === 1 && r.case.startsWith(`${model} ${ways}-way`) && r.case.endsWith(`of ${queries} image${queries === 1 ? '' : 's'}`))!;
const checks = ['omniglot', 'omniglot-5way'].map((model) => {
  const r = at1(model, 5, 1);
  return {
    model,
    adapt5w1sOverInProcessMs: r.adapt.overMs.p50,
    adaptTargetMet: r.adapt.overMs.p50 <= 5,
    predictOneImageServerMs: r.predict.serverPhasesMs.total!,
    predictTargetMet: r.predict.serverPhasesMs.total! <= 5,
  };
});
console.log(JSON.stringify({ backend: 'wasm', inferenceThreads: THREADS, rounds, warmup, results, checks }, null, 2));
// Its sessions (~230 KB each for omniglot-5way, ~1,300 a run) are not left in the machine's Redis until they expire.
let cursor = '0';
do {
  const [next, keys] = await t.deps.redis.scan(cursor, 'MATCH', `${t.deps.config.queuePrefix}:*`, 'COUNT', 1000);
  if (keys.length > 0) await t.deps.redis.unlink(...keys);
  cursor = next;
} while (cursor !== '0');
await t.close();
await database.drop();
