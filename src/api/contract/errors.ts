/**
 * The one error shape, `{ "error": { "code", "message", "details"? } }` (src/api/plugins/error-handler.ts
 * sends it), and the error answers routes share: each is documented once under
 * components.responses and named by its status in a route's `responses`.
 */
import { component, FreeObject, Type, type Static } from './schema.ts';

export const ErrorBody = component(
  'Error',
  Type.Object({
    error: Type.Object({
      code: Type.String({ pattern: '^[A-Z][A-Z0-9_]*$' }),
      message: Type.String(),
      details: Type.Optional(FreeObject({ description: 'Facts about the error (a limit and the actual value, the entry or model it names)' })),
    }),
  }),
);
export type ErrorBody = Static<typeof ErrorBody>;

/** An error answer: its description (the codes it carries), documented with the Error schema. */
export interface ErrorResponse {
  readonly kind: 'error';
  readonly description: string;
  /** Set for the shared answers: documented once under components.responses by this name. */
  readonly name?: string;
  readonly headers?: Readonly<Record<string, { readonly description?: string; readonly schema: object }>>;
}

const retryAfter = { 'Retry-After': { schema: { type: 'integer' } } } as const;

function shared(name: string, description: string, headers?: ErrorResponse['headers']): ErrorResponse {
  return { kind: 'error', name, description, ...(headers ? { headers } : {}) };
}

/** An error answer particular to one route (documented inline). */
export function errorResponse(description: string, headers?: ErrorResponse['headers']): ErrorResponse {
  return { kind: 'error', description, ...(headers ? { headers } : {}) };
}

export const BadRequest = shared('BadRequest', 'Invalid request (code VALIDATION_ERROR or a more specific one)');
export const Unauthorized = shared('Unauthorized', 'Missing, malformed, unknown or revoked key (code UNAUTHORIZED)');
export const Forbidden = shared('Forbidden', "The key's role may not call this route (code FORBIDDEN)");
export const NotFound = shared('NotFound', 'No such resource');
export const TooLarge = shared(
  'TooLarge',
  "A file, the request, or an image's pixel count is over a limit (FILE_TOO_LARGE, TOO_MANY_FILES, IMAGE_TOO_LARGE, FIELDS_LIMIT)",
);
export const UnsupportedImage = shared('UnsupportedImage', 'Not a readable PNG, JPEG or WebP image (UNSUPPORTED_IMAGE), or an unsupported content type');
export const Unprocessable = shared('Unprocessable', 'The support set does not fit the model (CLASS_COUNT_UNSUPPORTED, MODEL_NOT_IMAGE)');
export const Unavailable = shared(
  'Unavailable',
  'PostgreSQL or Redis is down (POSTGRES_UNAVAILABLE, REDIS_UNAVAILABLE) or the inference threads are saturated (OVERLOADED); retry after Retry-After',
  retryAfter,
);

/** The shared answers in the order components.responses lists them. */
export const SHARED_ERRORS = [BadRequest, Unauthorized, Forbidden, NotFound, TooLarge, UnsupportedImage, Unprocessable, Unavailable];
