/**
 * Typed errors that carry what went wrong. The HTTP error handler turns each into
 * `{ "error": { "code", "message" } }` with its status.
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
  constructor(readonly resource: string, readonly id: string) {
    super(404, `${resource.toUpperCase().replace(/[^A-Z]+/g, '_')}_NOT_FOUND`, `${resource} ${JSON.stringify(id)} not found`);
  }
}

export class UnauthorizedError extends HttpError {
  constructor(reason: string) {
    super(401, 'UNAUTHORIZED', reason, undefined, { 'www-authenticate': 'Bearer' });
  }
}

export class ForbiddenError extends HttpError {
  constructor(readonly role: string, readonly required: string) {
    super(403, 'FORBIDDEN', `this key's role is ${role}; the route needs ${required}`);
  }
}

/** A dependency (postgres, redis) is down: clients may retry. */
export class DependencyUnavailableError extends HttpError {
  constructor(readonly dependency: 'postgres' | 'redis', cause?: unknown) {
    super(503, `${dependency.toUpperCase()}_UNAVAILABLE`, `${dependency} is unavailable; retry later`, undefined, {
      'retry-after': '5',
    });
    this.cause = cause;
  }
}
