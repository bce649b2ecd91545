/** Multipart bodies that busboy cannot parse (no boundary, cut short, malformed part headers) → 400. */
import { HttpError } from '../../shared/errors.ts';

export class InvalidMultipartError extends HttpError {
  constructor(readonly reason: string) {
    super(400, 'INVALID_MULTIPART', `the multipart body cannot be read: ${reason}`);
  }
}

const BUSBOY_ERROR = /^(Multipart: |Unexpected end of (multipart|form)|Malformed)/;

/** The 400 for a busboy parse error, or null when `error` is something else. */
export function invalidMultipart(error: unknown): InvalidMultipartError | null {
  return !(error instanceof HttpError) && error instanceof Error && BUSBOY_ERROR.test(error.message) ? new InvalidMultipartError(error.message) : null;
}
