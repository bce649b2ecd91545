/**
 * `npm run bench:load`: the API as its own process (loopback, shipped 5-way model, its inference
 * threads), driven by autocannon with mixed traffic (per connection 1 /adapt 5-way 1-shot : 3
 * /predict of 10 images, real Omniglot PNGs) at rising concurrency. Per level: throughput,
 * latency p50/p99, status codes (429/503 = shed load), errors, the API's event-loop lag p99 and
 * RSS; then a recovery level at concurrency 1, and a soak at the highest level reporting the RSS
 * slope. Prints JSON. Options: --levels 1,2,4,8,16,32,64 --duration 10 --soak 300 (0: skip)
 * --threads 2 (INFERENCE_THREADS) --queue 16 (INFERENCE_QUEUE).
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { createApiKey } from '../src/api/auth/api-keys.ts';
import { createDb } from '../src/shared/db/client.ts';
import { createTestDatabase, REDIS_URL } from '../test/helpers/env.ts';
import { freePort, spawnEntry, waitForStatus } from '../test/helpers/processes.ts';
import { sampleApi, slope, type ApiSample } from './load/api-metrics.ts';
import { mixedRequests, multipartBody, omniglotImages } from './load/traffic.ts';

const { values } = parseArgs({
  options: {
    levels: { type: 'string', default: '1,2,4,8,16,32,64' },
    duration: { type: 'string', default: '10' },
    soak: { type: 'string', default: '300' },
    threads: { type: 'string', default: '2' },
    queue: { type: 'string', default: '16' },
  },
});
const omniglot = process.env.OMNIGLOT_DIR ?? path.resolve(import.meta.dirname, '../../shared/data/omniglot');
const database = await createTestDatabase();
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const api = spawnEntry('src/api/server.ts', {
  PORT: String(port),
  HOST: '127.0.0.1',
  DATABASE_URL: database.url,
  REDIS_URL,
  LOG_LEVEL: 'warn',
  WEIGHTS_DIR: path.join(os.tmpdir(), `maml-load-${port}`),
  INFERENCE_THREADS: values.threads,
  INFERENCE_QUEUE: values.queue,
  RATE_LIMIT_PER_MINUTE: '0',
  QUEUE_PREFIX: `load-${port}`,
});
try {
  await waitForStatus(`${base}/readyz`, 200, 60_000);
  const db = createDb(database.url);
  const key = (await createApiKey(db, 'client')).key;
  const images = await omniglotImages(omniglot);
  const first = multipartBody({ labels: JSON.stringify(images.labels) }, images.support);
  const created = await fetch(`${base}/adapt`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': first.contentType },
    body: first.body,
  });
  if (created.status !== 201) throw new Error(`warm-up /adapt: ${created.status} ${await created.text()}`);
  const { sessionId } = (await created.json()) as { sessionId: string };
  const requests = mixedRequests(key, sessionId, images);

  async function level(connections: number, seconds: number) {
    const samples: (ApiSample & { t: number })[] = [];
    const started = Date.now();
    const timer = setInterval(
      () =>
        void sampleApi(base).then(
          (s) => samples.push({ ...s, t: (Date.now() - started) / 1000 }),
          () => undefined,
        ),
      1000,
    );
    const result = await autocannon({ url: base, connections, duration: seconds, requests, timeout: 60 });
    clearInterval(timer);
    const codes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, (s as { count: number }).count]));
    const total = Object.values(codes).reduce((a, b) => a + b, 0) + result.errors + result.timeouts;
    const shed = (codes['429'] ?? 0) + (codes['503'] ?? 0);
    const ok = Object.entries(codes).reduce((n, [code, count]) => (code.startsWith('2') ? n + count : n), 0);
    return {
      connections,
      requestsPerSecond: Math.round(result.requests.average * 10) / 10,
      /** Answered with 2xx per second (what clients got done; shed requests excluded). */
      okPerSecond: Math.round((ok / seconds) * 10) / 10,
      latencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
      statusCodes: codes,
      shedRate: total ? Math.round((shed / total) * 1000) / 1000 : 0,
      errorRate: total ? Math.round(((result.errors + result.timeouts + result.non2xx - shed) / total) * 1000) / 1000 : 0,
      eventLoopLagP99Ms: Math.max(0, ...samples.map((s) => Math.round(s.eventLoopLagP99Ms * 10) / 10)),
      rssMB: Math.round(Math.max(0, ...samples.map((s) => s.rssBytes)) / 1e6),
      samples,
    };
  }

  const levels = [];
  for (const c of values.levels.split(',').map(Number)) {
    const { samples, ...row } = await level(c, Number(values.duration));
    levels.push(row);
    console.error(JSON.stringify(row));
  }
  const best = levels.reduce((a, b) => (b.okPerSecond > a.okPerSecond ? b : a));
  const saturation = levels.find((l) => l.okPerSecond >= 0.95 * best.okPerSecond)!;
  const { samples: _r, ...recovery } = await level(1, Number(values.duration));
  let soak = null;
  if (Number(values.soak) > 0) {
    const top = levels.at(-1)!.connections;
    const { samples, ...row } = await level(top, Number(values.soak));
    const mbPerMinute = slope(
      samples.map((s) => s.t / 60),
      samples.map((s) => s.rssBytes / 1e6),
    );
    const heapPerMinute = slope(
      samples.map((s) => s.t / 60),
      samples.map((s) => s.heapUsedBytes / 1e6),
    );
    const mb = (bytes: number) => Math.round(bytes / 1e6);
    soak = {
      ...row,
      seconds: Number(values.soak),
      rssStartMB: mb(samples[0]!.rssBytes),
      rssEndMB: mb(samples.at(-1)!.rssBytes),
      rssSlopeMBPerMinute: Math.round(mbPerMinute * 100) / 100,
      heapUsedStartMB: mb(samples[0]!.heapUsedBytes),
      heapUsedEndMB: mb(samples.at(-1)!.heapUsedBytes),
      heapUsedSlopeMBPerMinute: Math.round(heapPerMinute * 100) / 100,
      /** RSS at each minute (the shape tells growth that levels off from a leak). */
      rssByMinuteMB: samples.filter((s, i) => i === 0 || Math.floor(s.t / 60) > Math.floor(samples[i - 1]!.t / 60)).map((s) => mb(s.rssBytes)),
    };
  }
  console.log(
    JSON.stringify(
      {
        inferenceThreads: Number(values.threads),
        inferenceQueue: Number(values.queue),
        cores: os.availableParallelism(),
        mix: '1 adapt (5w1s) : 3 predict (10 images)',
        levels,
        saturatesAt: { connections: saturation.connections, okPerSecond: saturation.okPerSecond },
        recovery,
        soak,
      },
      null,
      2,
    ),
  );
  await db.$disconnect();
} finally {
  api.child.kill('SIGTERM');
  await api.exited();
  await database.drop();
}
