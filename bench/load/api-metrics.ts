/** Reads the API process's own figures from its Prometheus endpoint (RSS, event-loop lag p99). */
export interface ApiSample {
  readonly rssBytes: number;
  /** The main thread's V8 heap in use (a JS leak grows this; RSS also holds the inference threads' wasm heaps). */
  readonly heapUsedBytes: number;
  readonly eventLoopLagP99Ms: number;
}

function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : Number.NaN;
}

export async function sampleApi(base: string): Promise<ApiSample> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return {
    rssBytes: metric(text, 'process_resident_memory_bytes'),
    heapUsedBytes: metric(text, 'nodejs_heap_size_used_bytes'),
    eventLoopLagP99Ms: metric(text, 'nodejs_eventloop_lag_p99_seconds') * 1000,
  };
}

/** Least-squares slope of y over x. */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) (num += (xs[i]! - mx) * (ys[i]! - my)), (den += (xs[i]! - mx) ** 2);
  return den === 0 ? 0 : num / den;
}
