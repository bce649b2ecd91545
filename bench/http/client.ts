/**
 * bench:http's client, a process of its own (`node --import tsx bench/http/client.ts`, started by
 * bench/http.ts): so that building multipart bodies and reading answers never runs on the API's
 * event loop, as with a real client. Reads its scenario as JSON from BENCH_HTTP_SCENARIO, runs
 * `rounds` + 1 rounds of `concurrency` parallel /adapt then /predict (the first round is a warm-up,
 * not recorded), and prints the samples as one JSON line; it writes `warm` to stderr when the
 * warm-up round is done (bench/http.ts measures the API's event loop from then on).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseServerTiming } from '../../src/api/routes/sessions/server-timing.ts';

export interface Scenario {
  readonly base: string;
  readonly key: string;
  readonly omniglot: string;
  readonly model: string;
  readonly ways: number;
  readonly shots: number;
  /** Images per /predict request. */
  readonly queries: number;
  readonly concurrency: number;
  readonly rounds: number;
}

export interface Samples {
  readonly adaptMs: number[];
  /** The inference thread's decode + adapt (+ θ′ encode): what a caller of the core runs in-process. */
  readonly inProcessMs: number[];
  readonly predictMs: number[];
  readonly adaptPhases: Record<string, number>[];
  readonly predictPhases: Record<string, number>[];
  readonly sessionId: string;
}

async function drawings(omniglot: string, ways: number, first: number, count: number) {
  const alphabet = path.join(omniglot, 'images_evaluation', 'Tengwar');
  const items: { label: string; file: Buffer }[] = [];
  for (const c of (await readdir(alphabet)).sort().slice(0, ways)) {
    const files = (await readdir(path.join(alphabet, c))).sort();
    for (const f of files.slice(first, first + count)) items.push({ label: c, file: await readFile(path.join(alphabet, c, f)) });
  }
  return items;
}

function form(fields: Record<string, string>, files: Buffer[]): FormData {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  files.forEach((f, i) => body.append('images', new Blob([new Uint8Array(f)], { type: 'image/png' }), `${i}.png`));
  return body;
}

async function run(s: Scenario): Promise<Samples> {
  const auth = { authorization: `Bearer ${s.key}` };
  const support = await drawings(s.omniglot, s.ways, 0, s.shots);
  const queryFiles = (await drawings(s.omniglot, s.ways, s.shots, 2)).slice(0, s.queries).map((d) => d.file);
  const samples: Samples = { adaptMs: [], inProcessMs: [], predictMs: [], adaptPhases: [], predictPhases: [], sessionId: '' };
  let sessionId = '';
  for (let r = 0; r < s.rounds + 1; r++) {
    await Promise.all(
      Array.from({ length: s.concurrency }, async () => {
        const started = performance.now();
        const body = form(
          { labels: JSON.stringify(support.map((d) => d.label)), model: s.model },
          support.map((d) => d.file),
        );
        const res = await fetch(`${s.base}/adapt`, { method: 'POST', headers: auth, body });
        const session = (await res.json()) as { sessionId: string; timings: { adaptMs: number; decodeMs: number } };
        if (res.status !== 201) throw new Error(JSON.stringify(session));
        const ms = performance.now() - started;
        sessionId = session.sessionId;
        const p0 = performance.now();
        const pr = await fetch(`${s.base}/predict`, { method: 'POST', headers: auth, body: form({ sessionId }, queryFiles) });
        if (pr.status !== 200) throw new Error(await pr.text());
        await pr.json();
        if (r === 0) return; // warm-up: model load, fold cache, JIT
        samples.adaptMs.push(ms);
        samples.inProcessMs.push(session.timings.decodeMs + session.timings.adaptMs);
        samples.adaptPhases.push(parseServerTiming(res.headers.get('server-timing')));
        samples.predictMs.push(performance.now() - p0);
        samples.predictPhases.push(parseServerTiming(pr.headers.get('server-timing')));
      }),
    );
    if (r === 0) process.stderr.write('warm\n');
  }
  return { ...samples, sessionId };
}

if (process.env.BENCH_HTTP_SCENARIO) {
  process.stdout.write(`${JSON.stringify(await run(JSON.parse(process.env.BENCH_HTTP_SCENARIO) as Scenario))}\n`);
}
