/**
 * Where a /adapt or /predict request's server time went, as a W3C `Server-Timing` header
 * (`upload;dur=1.2, resolve;dur=0.3, …, total;dur=9.8`, milliseconds): browsers' devtools show it,
 * `npm run bench:http` reads it. Phases, in request order:
 *  - accept: from the request's arrival until the handler runs (routing, the API key check, the
 *    rate limit's Redis round trip, load shedding); a multipart body starts being read during it,
 *    while the rate limit waits for Redis (routes.ts);
 *  - upload: what is left of reading and parsing a multipart body once the handler runs (a JSON
 *    body is parsed before the handler: in accept), and the base64 or file images gathered;
 *  - resolve: the model lookup (catalog cache or PostgreSQL) and the checks of the fields;
 *  - redis: loading (/predict) or saving (/adapt) the session; a /predict of a session the replica
 *    holds (θ′ and meta in its cache) is computed while the load confirms it, and `redis` is then
 *    only the wait beyond the computation (usually 0);
 *  - queue: waiting for a free inference thread;
 *  - dispatch: handing the request to the thread and its answer back (structured clone);
 *  - decode: PNG/JPEG decoding and preprocessing, in the thread;
 *  - adapt / predict: the computation, in the thread (for /predict, θ′'s decoding included);
 *  - encode: θ′'s encoding for the session store (/adapt, in the thread); for /predict, building
 *    the answer's labels and scores;
 *  - total: from arrival until the reply is sent (the body's serialisation excepted).
 * Invariant: the phases before `total` do not overlap, so they sum to at most `total`.
 */

/** A phase's duration in ms; `undefined` phases are left out. */
export type Phases = Readonly<Record<string, number | undefined>>;

export function serverTiming(phases: Phases): string {
  return Object.entries(phases)
    .filter((entry): entry is [string, number] => entry[1] !== undefined && Number.isFinite(entry[1]))
    .map(([name, ms]) => `${name};dur=${Math.max(0, ms).toFixed(2)}`)
    .join(', ');
}

/** Parses a `Server-Timing` header back into { phase: ms } (bench:http, tests). */
export function parseServerTiming(header: string | null | undefined): Record<string, number> {
  const phases: Record<string, number> = {};
  for (const metric of (header ?? '').split(',')) {
    const [name, ...params] = metric.trim().split(';');
    const duration = params.map((p) => p.trim()).find((p) => p.startsWith('dur='));
    if (name && duration) phases[name] = Number(duration.slice(4));
  }
  return phases;
}
