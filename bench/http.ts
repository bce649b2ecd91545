/**
 * `npm run bench:http`: /adapt and /predict through real HTTP (multipart uploads of Omniglot PNGs)
 * against a local API with its inference threads, PostgreSQL and Redis. Prints JSON: latency
 * p50/p90 for 5-way 1-shot and 20-way 5-shot at concurrency 1 and 4, the HTTP overhead (adapt
 * latency minus the thread's queue wait, decoding and adaptation time), the queue wait itself,
 * event-loop lag p99, and Redis bytes per session.
 * A Conv4 strided 64-filter model with a zero-initialised 20-unit head is used (timings do not
 * depend on the weights). Options: --rounds N (default 12).
 */
import { readdir, readFile } from 'node:fs/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createApiKey } from '../src/api/auth/api-keys.ts';
import { buildTestApp, createTestDatabase } from '../test/helpers/env.ts';
import { registerTestModel } from '../test/helpers/models.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '12' } } });
const rounds = Number(values.rounds);
const omniglot = process.env.OMNIGLOT_DIR ?? path.resolve(import.meta.dirname, '../../shared/data/omniglot');

const database = await createTestDatabase();
const t = await buildTestApp(database.url, { INFERENCE_THREADS: '2', LOG_LEVEL: 'silent' });
await registerTestModel(t.db, t.deps.store, { name: 'bench-conv4', headInit: 'zero', outputs: 20, nWay: 20, filters: 64 });
const key = (await createApiKey(t.db, 'client')).key;
const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
const auth = { authorization: `Bearer ${key}` };

const alphabet = path.join(omniglot, 'images_evaluation', 'Tengwar');
const characters = (await readdir(alphabet)).sort();
async function supportSet(ways: number, shots: number) {
  const items: { label: string; file: Buffer }[] = [];
  for (const c of characters.slice(0, ways)) {
    const files = (await readdir(path.join(alphabet, c))).sort();
    for (const f of files.slice(0, shots)) items.push({ label: c, file: await readFile(path.join(alphabet, c, f)) });
  }
  return items;
}

function form(fields: Record<string, string>, files: Buffer[]): FormData {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  files.forEach((f, i) => body.append('images', new Blob([f], { type: 'image/png' }), `${i}.png`));
  return body;
}

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const round = (x: number) => Math.round(x * 10) / 10;

async function scenario(ways: number, shots: number, concurrency: number) {
  const support = await supportSet(ways, shots);
  const queries = (await supportSet(ways, shots + 2)).filter((_, i) => i % (shots + 2) >= shots).slice(0, 10).map((s) => s.file);
  const adapt: number[] = [];
  const overhead: number[] = [];
  const queued: number[] = [];
  const predict: number[] = [];
  let sessionId = '';
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  for (let r = 0; r < rounds; r++) {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        const started = performance.now();
        const res = await fetch(`${base}/adapt`, { method: 'POST', headers: auth, body: form({ labels: JSON.stringify(support.map((s) => s.label)), model: 'bench-conv4' }, support.map((s) => s.file)) });
        const body = (await res.json()) as { sessionId: string; timings: { adaptMs: number; decodeMs: number; queueMs: number } };
        if (res.status !== 201) throw new Error(JSON.stringify(body));
        const ms = performance.now() - started;
        if (r > 0) adapt.push(ms), overhead.push(ms - body.timings.adaptMs - body.timings.decodeMs - body.timings.queueMs), queued.push(body.timings.queueMs);
        sessionId = body.sessionId;
        const p0 = performance.now();
        const pr = await fetch(`${base}/predict`, { method: 'POST', headers: auth, body: form({ sessionId }, queries) });
        if (pr.status !== 200) throw new Error(await pr.text());
        await pr.json();
        if (r > 0) predict.push(performance.now() - p0);
      }),
    );
  }
  lag.disable();
  const bytes = await t.deps.sessions.bytesUsed(sessionId);
  return {
    case: `${ways}-way ${shots}-shot`,
    concurrency,
    adaptMs: { p50: round(percentile(adapt, 50)), p90: round(percentile(adapt, 90)) },
    httpOverheadMs: { p50: round(percentile(overhead, 50)), p90: round(percentile(overhead, 90)) },
    queueMs: { p50: round(percentile(queued, 50)), p90: round(percentile(queued, 90)) },
    predict10Ms: { p50: round(percentile(predict, 50)), p90: round(percentile(predict, 90)) },
    eventLoopLagP99Ms: round(lag.percentile(99) / 1e6),
    redisBytesPerSession: bytes,
  };
}

const results = [];
for (const [ways, shots] of [[5, 1], [20, 5]] as const) for (const c of [1, 4]) results.push(await scenario(ways, shots, c));
console.log(JSON.stringify({ backend: 'wasm', inferenceThreads: 2, rounds, results }, null, 2));
await t.close();
await database.drop();
