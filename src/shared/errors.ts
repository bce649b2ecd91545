/**
 * Typed errors that carry what went wrong. The HTTP error handler turns each into
 * `{ "error": { "code", "message" } }` with its status: `HttpError`s carry theirs (they are
 * raised by the API's own code); the errors below them are domain errors that name no status
 * (the API maps them, src/api/plugins/error-mapping.ts).
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export class NotFoundError extends HttpError {
  constructor(
    readonly resource: string,
    readonly id: string,
  ) {
    super(404, `${resource.toUpperCase().replace(/[^A-Z]+/g, '_')}_NOT_FOUND`, `${resource} ${JSON.stringify(id)} not found`);
  }
}

export class UnauthorizedError extends HttpError {
  constructor(reason: string) {
    super(401, 'UNAUTHORIZED', reason, undefined, { 'www-authenticate': 'Bearer' });
  }
}

export class ForbiddenError extends HttpError {
  constructor(
    readonly role: string,
    readonly required: string,
  ) {
    super(403, 'FORBIDDEN', `this key's role is ${role}; the route needs ${required}`);
  }
}

export type Dependency = 'postgres' | 'redis';

/**
 * A dependency did not answer: raised where its driver failed (src/shared/redis.ts,
 * src/shared/db/pool.ts), never guessed from message text. Clients may retry (the API answers 503
 * with the code `POSTGRES_UNAVAILABLE` or `REDIS_UNAVAILABLE`). It has no `code` property on
 * purpose: Prisma wraps any driver error that has one into its own error type.
 */
export class DependencyUnavailableError extends Error {
  constructor(
    readonly dependency: Dependency,
    cause?: unknown,
  ) {
    super(`${dependency} is unavailable; retry later`);
    this.name = 'DependencyUnavailableError';
    this.cause = cause;
  }
}
