/**
 * The one error handler: every error leaves as `{ "error": { "code", "message" } }` with its
 * status, mapped by type (./error-mapping.ts; driver failures are converted where the drivers
 * raise them). 5xx messages never carry internals (they are logged with the request id instead).
 */
import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../../shared/errors.ts';
import { isUnexpected, toHttpError } from './error-mapping.ts';

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/**
 * Errors fastify answers before routing (fastify's `frameworkErrors` option): a malformed URL, a
 * path parameter over maxParamLength. The same JSON shape, without echoing the (long) URL back.
 */
export function frameworkErrorReply(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const http =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new HttpError(414, 'URI_TOO_LONG', 'a path parameter is too long')
      : error.code === 'FST_ERR_BAD_URL'
        ? new HttpError(400, 'BAD_URL', 'the URL is malformed')
        : toHttpError(error);
  const body: ErrorBody = { error: { code: http.code, message: http.message } };
  void reply.status(http.statusCode).send(body);
}

/** Load shedding is the service working as designed: logged like a 4xx, not as a failure. */
const SHED_CODES = new Set(['OVERLOADED', 'SHUTTING_DOWN']);

/**
 * Unexpected errors are logged at error with their stack; a typed 5xx (a dependency down) at warn
 * with its code and cause; shed load and 4xx at info without stacks. Under overload the service
 * answers thousands of 503s a second: a stack per answer would swamp the log (and its buffer).
 */
export function logError(request: Pick<FastifyRequest, 'log'>, error: Error, http: HttpError): void {
  const fields = { code: http.code, statusCode: http.statusCode };
  if (isUnexpected(error, http)) request.log.error({ err: error }, http.message);
  else if (http.statusCode >= 500 && !SHED_CODES.has(http.code))
    request.log.warn({ ...fields, cause: (http.cause as Error | undefined)?.message ?? (error === http ? undefined : error.message) }, http.message);
  else request.log.info(fields, http.message);
}

async function errorHandlerPlugin(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const http = toHttpError(error);
    logError(request, error, http);
    const body: ErrorBody = { error: { code: http.code, message: http.message } };
    if (http.details) body.error.details = http.details;
    void reply
      .status(http.statusCode)
      .headers(http.headers ?? {})
      .send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = { error: { code: 'ROUTE_NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` } };
    void reply.status(404).send(body);
  });
}

export default fp(errorHandlerPlugin, { name: 'error-handler' });
