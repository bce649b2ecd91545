/**
 * A fetch that retries what the server asks to be retried: 429 and 503 answers, after the
 * Retry-After the server gave (seconds or a date) or else after an exponential backoff with
 * jitter; and, for GET and HEAD only, requests that got no answer at all or a 502/504 from a
 * proxy in front of the API (the replica it chose did not answer). It gives up after
 * `maxAttempts` tries, or at once when the server asks for a longer wait than `maxDelayMs`, and
 * then returns the last answer (or throws UnreachableError).
 */
import { retryAfterSeconds, UnreachableError } from './errors.ts';

export interface RetryOptions {
  /** Tries in all, the first included (default 4; 1 turns retries off). */
  readonly maxAttempts?: number;
  /** First backoff when the server gives no Retry-After (default 500 ms; doubles each time). */
  readonly baseDelayMs?: number;
  /** Longest wait before a retry (default 30 s). */
  readonly maxDelayMs?: number;
  /** Told before each retry (the CLI prints it). */
  readonly onRetry?: (info: RetryInfo) => void;
  /** For tests. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
}

export interface RetryInfo {
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly delayMs: number;
  /** The status that caused the retry, or null when there was no answer. */
  readonly status: number | null;
  readonly url: string;
}

export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 503]);
/** A load balancer's "no answer from the replica": retried only when resending cannot repeat an effect. */
export const GATEWAY_STATUSES: ReadonlySet<number> = new Set([502, 504]);

/** Exponential backoff with jitter: between half and all of base × 2^(attempt−1), at most max. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const full = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(full / 2 + (full / 2) * random());
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function withRetries(fetchImpl: (request: Request) => Promise<Response>, options: RetryOptions = {}): (request: Request) => Promise<Response> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 4);
  const baseDelayMs = options.baseDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;
  const idempotent = (method: string) => method === 'GET' || method === 'HEAD';

  return async function retryingFetch(request: Request): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= maxAttempts;
      let response: Response;
      try {
        response = await fetchImpl(last ? request : request.clone());
      } catch (error) {
        if (request.signal.aborted) throw error;
        if (last || !idempotent(request.method)) throw UnreachableError.from(new URL(request.url).origin, error);
        const delayMs = backoffMs(attempt, baseDelayMs, maxDelayMs, random);
        options.onRetry?.({ attempt, maxAttempts, delayMs, status: null, url: request.url });
        await sleep(delayMs, request.signal);
        continue;
      }
      const retryable = RETRY_STATUSES.has(response.status) || (GATEWAY_STATUSES.has(response.status) && idempotent(request.method));
      if (last || !retryable) return response;
      const asked = retryAfterSeconds(response.headers.get('retry-after'));
      const delayMs = asked === null ? backoffMs(attempt, baseDelayMs, maxDelayMs, random) : asked * 1000;
      if (delayMs > maxDelayMs) return response;
      await response.body?.cancel().catch(() => undefined);
      options.onRetry?.({ attempt, maxAttempts, delayMs, status: response.status, url: request.url });
      await sleep(delayMs, request.signal);
    }
  };
}
