/**
 * bench:http's client, a process of its own (`node --import tsx bench/http/client.ts`, started by
 * bench/http.ts): so that building multipart bodies and reading answers never runs on the API's
 * event loop, as with a real client. Reads its scenario as JSON from BENCH_HTTP_SCENARIO, runs
 * `warmup` + `rounds` rounds of `concurrency` parallel /adapt then /predict (the warm-up rounds are
 * not recorded), and prints the samples as one JSON line; it writes `warm` to stderr when the
 * warm-up rounds are done (bench/http.ts measures the API's event loop from then on).
 * Each request's multipart body is built with FormData (undici's encoding, as before) before its
 * clock starts, and that encoding is reported on its own (`adaptEncodeMs`, `predictEncodeMs`); the request itself goes out
 * as those bytes over node:http with a kept-alive connection, as thin as curl, and its latency runs
 * from the write until the answer is parsed. (Until session 7 the clock also covered FormData's
 * encoding and fetch's own per-request work: ~3 ms of client time that no server change can cut.)
 */
import { readdir, readFile } from 'node:fs/promises';
import http from 'node:http';
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
  /** Unrecorded rounds first (at least 1): model load, caches, the JIT of the API's request path. */
  readonly warmup: number;
}

export interface Samples {
  readonly adaptMs: number[];
  /** The inference thread's decode + adapt (+ θ′ encode): what a caller of the core runs in-process. */
  readonly inProcessMs: number[];
  readonly predictMs: number[];
  readonly adaptPhases: Record<string, number>[];
  readonly predictPhases: Record<string, number>[];
  /** The client's FormData encoding of each /adapt and /predict body, outside the latencies. */
  readonly adaptEncodeMs: number[];
  readonly predictEncodeMs: number[];
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

interface Encoded {
  readonly bytes: Buffer;
  readonly contentType: string;
}

/** A multipart body as undici's FormData encodes it (fetch would send the same bytes). */
async function form(fields: Record<string, string>, files: Buffer[]): Promise<Encoded> {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  files.forEach((f, i) => body.append('images', new Blob([new Uint8Array(f)], { type: 'image/png' }), `${i}.png`));
  const response = new Response(body);
  return { bytes: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get('content-type')! };
}

interface Answer {
  readonly status: number;
  readonly serverTiming: string | undefined;
  readonly body: unknown;
}

/** POSTs the bytes over a kept-alive connection; resolves once the JSON answer is parsed. */
function post(agent: http.Agent, url: URL, key: string, { bytes, contentType }: Encoded): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: 'POST', agent, headers: { authorization: `Bearer ${key}`, 'content-type': contentType, 'content-length': bytes.length } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const header = response.headers['server-timing'];
          resolve({
            status: response.statusCode!,
            serverTiming: Array.isArray(header) ? header.join(', ') : header,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
          });
        });
      },
    );
    request.on('error', reject);
    request.end(bytes);
  });
}

async function run(s: Scenario): Promise<Samples> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: s.concurrency });
  const support = await drawings(s.omniglot, s.ways, 0, s.shots);
  const queryFiles = (await drawings(s.omniglot, s.ways, s.shots, 2)).slice(0, s.queries).map((d) => d.file);
  const samples: Samples = {
    adaptMs: [],
    inProcessMs: [],
    predictMs: [],
    adaptPhases: [],
    predictPhases: [],
    adaptEncodeMs: [],
    predictEncodeMs: [],
    sessionId: '',
  };
  let sessionId = '';
  const warmup = Math.max(1, s.warmup);
  for (let r = 0; r < warmup + s.rounds; r++) {
    await Promise.all(
      Array.from({ length: s.concurrency }, async () => {
        const e0 = performance.now();
        const adaptBody = await form(
          { labels: JSON.stringify(support.map((d) => d.label)), model: s.model },
          support.map((d) => d.file),
        );
        const encodeAdaptMs = performance.now() - e0;
        const started = performance.now();
        const res = await post(agent, new URL('/adapt', s.base), s.key, adaptBody);
        const ms = performance.now() - started;
        const session = res.body as { sessionId: string; timings: { adaptMs: number; decodeMs: number } };
        if (res.status !== 201) throw new Error(JSON.stringify(session));
        sessionId = session.sessionId;
        const e1 = performance.now();
        const predictBody = await form({ sessionId }, queryFiles);
        const encodePredictMs = performance.now() - e1;
        const p0 = performance.now();
        const pr = await post(agent, new URL('/predict', s.base), s.key, predictBody);
        const predictMs = performance.now() - p0;
        if (pr.status !== 200) throw new Error(JSON.stringify(pr.body));
        if (r < warmup) return; // warm-up: model load, fold cache, JIT
        samples.adaptMs.push(ms);
        samples.inProcessMs.push(session.timings.decodeMs + session.timings.adaptMs);
        samples.adaptPhases.push(parseServerTiming(res.serverTiming));
        samples.predictMs.push(predictMs);
        samples.predictPhases.push(parseServerTiming(pr.serverTiming));
        samples.adaptEncodeMs.push(encodeAdaptMs);
        samples.predictEncodeMs.push(encodePredictMs);
      }),
    );
    if (r === warmup - 1) process.stderr.write('warm\n');
  }
  agent.destroy();
  return { ...samples, sessionId };
}

if (process.env.BENCH_HTTP_SCENARIO) {
  process.stdout.write(`${JSON.stringify(await run(JSON.parse(process.env.BENCH_HTTP_SCENARIO) as Scenario))}\n`);
}
