/**
 * Every error mapped to the HTTP answer it leaves as: `HttpError`s carry their status; the domain
 * errors of src/shared (a dependency down, a dataset refused or in use) and of the inference
 * threads get theirs here, by type. Anything else is a 500 whose message names no internals.
 */
import type { FastifyError } from 'fastify';
import { DatasetInUseError, DatasetNotReadyError, DatasetRejectedError, type DatasetRejection } from '../../shared/datasets/errors.ts';
import { DependencyUnavailableError, HttpError } from '../../shared/errors.ts';
import { InferenceRefusedError, type RefusalReason } from '../inference/protocol.ts';

const REFUSAL_ANSWER: Record<RefusalReason, { status: number; code: string; headers?: Record<string, string> }> = {
  'image-too-large': { status: 413, code: 'IMAGE_TOO_LARGE' },
  'unsupported-image': { status: 415, code: 'UNSUPPORTED_IMAGE' },
  'session-unreadable': { status: 409, code: 'SESSION_UNREADABLE' },
  'weights-unavailable': { status: 503, code: 'MODEL_WEIGHTS_UNAVAILABLE', headers: { 'retry-after': '5' } },
};

const REJECTION_STATUS: Record<DatasetRejection, number> = { malformed: 400, 'over-limit': 413, unusable: 422 };

/** How long clients are told to wait before retrying while a dependency is down. */
export const DEPENDENCY_RETRY_AFTER_SECONDS = 5;

export function toHttpError(error: FastifyError | Error): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof DependencyUnavailableError) {
    const http = new HttpError(503, `${error.dependency.toUpperCase()}_UNAVAILABLE`, error.message, undefined, {
      'retry-after': String(DEPENDENCY_RETRY_AFTER_SECONDS),
    });
    http.cause = error.cause;
    return http;
  }
  if (error instanceof InferenceRefusedError) {
    const answer = REFUSAL_ANSWER[error.reason];
    return new HttpError(answer.status, answer.code, error.message, undefined, answer.headers);
  }
  if (error instanceof DatasetRejectedError) return new HttpError(REJECTION_STATUS[error.rejection], error.code, error.message, error.details);
  if (error instanceof DatasetInUseError) return new HttpError(409, error.code, error.message, { jobIds: error.jobIds });
  if (error instanceof DatasetNotReadyError) return new HttpError(409, error.code, error.message, { status: error.status });
  const fe = error as FastifyError;
  if (fe.validation) {
    return new HttpError(
      400,
      'VALIDATION_ERROR',
      `${fe.validationContext ?? 'request'}${fe.validation[0]?.instancePath ?? ''} ${fe.validation[0]?.message ?? error.message}`.trim(),
    );
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code = typeof fe.code === 'string' ? fe.code.replace(/^FST_(ERR_)?/, '') : 'BAD_REQUEST';
    return new HttpError(fe.statusCode, code, error.message);
  }
  return new HttpError(500, 'INTERNAL', 'internal server error');
}

/** True for an error the mapping does not know: a bug, logged with its stack. */
export function isUnexpected(error: Error, http: HttpError): boolean {
  return http.code === 'INTERNAL' && !(error instanceof HttpError);
}
