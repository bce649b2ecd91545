/**
 * How fastify's ajv reads the contract's schemas, for JSON bodies, params, queries and multipart
 * text fields alike: strings coerced to the declared types (`?limit=5`, a `steps` form field),
 * defaults filled in (a `Defaulted` field is always set once validated), unknown properties
 * refused where a schema says `additionalProperties: false` (never silently removed), first error only;
 * `discriminator` picks a oneOf branch by a property (a training stage's `kind`), whose errors are then reported.
 */
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../../shared/errors.ts';

export const AJV_OPTIONS = {
  customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false, discriminator: true },
} as const;

/** Where a non-finite number sits in `value` (`/limit`, `/stages/0/epochs`), if anywhere. */
export function nonFinitePath(value: unknown, at = ''): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : at;
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const found = nonFinitePath(item, `${at}/${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * ajv's coercion turns the text "Infinity" into a number and then skips the bounds of non-finite
 * numbers (`?limit=Infinity` passed `maximum: 200`); every contract route refuses such a value
 * after validation, with the 400 a bound would give.
 */
export async function refuseNonFinite(request: FastifyRequest): Promise<void> {
  for (const [part, value] of [
    ['params', request.params],
    ['querystring', request.query],
    ['body', request.body],
  ] as const) {
    const at = nonFinitePath(value);
    if (at !== undefined) throw new HttpError(400, 'VALIDATION_ERROR', `${part}${at} must be a finite number`);
  }
}
