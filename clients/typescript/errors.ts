/** What the client throws: the server's answer (ApiError) or no answer at all (UnreachableError). */

/** The service's error body: `{ "error": { "code", "message", "details"? } }`. */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

function isErrorBody(body: unknown): body is ErrorBody {
  const error = (body as ErrorBody | null)?.error;
  return typeof error === 'object' && error !== null && typeof error.code === 'string' && typeof error.message === 'string';
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date); null when absent or unreadable. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/** The server answered with an error status. `code` is the server's code (e.g. CLASS_COUNT_UNSUPPORTED). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly url: string,
    readonly details?: Record<string, unknown>,
    /** From the Retry-After header of a 429 or 503, when the server sent one. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  /** From a response and its parsed body; a body not in the service's shape (a proxy's page) gets code HTTP_<status>. */
  static from(response: Response, body: unknown): ApiError {
    const retryAfter = retryAfterSeconds(response.headers.get('retry-after')) ?? undefined;
    if (isErrorBody(body)) {
      return new ApiError(response.status, body.error.code, body.error.message, response.url, body.error.details, retryAfter);
    }
    const text = typeof body === 'string' ? body.trim().slice(0, 200) : '';
    return new ApiError(
      response.status,
      `HTTP_${response.status}`,
      text || response.statusText || `HTTP ${response.status}`,
      response.url,
      undefined,
      retryAfter,
    );
  }
}

/** No HTTP answer: connection refused, DNS failure, reset, or a timeout. */
export class UnreachableError extends Error {
  override readonly name = 'UnreachableError';
  constructor(
    readonly url: string,
    /** The system error code when there is one (ECONNREFUSED, ENOTFOUND, …), else the error's message. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot reach ${url} (${reason})`, options);
  }

  static from(url: string, error: unknown): UnreachableError {
    const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
    const code = typeof cause?.code === 'string' ? cause.code : undefined;
    const message = typeof cause?.message === 'string' ? cause.message : (error as Error).message;
    return new UnreachableError(url, code ?? message ?? String(error), { cause: error });
  }
}
