/**
 * A multipart/form-data body, described once as a TypeBox object: text fields with their types and
 * bounds, file parts as `Binary()` (one file) or `Type.Array(Binary())` (many). openapi.yaml
 * documents the object as it is; the route's reader asks it which parts are files and which text
 * fields exist, and `validateFields` checks the text fields it collected against the same schema
 * (fastify's ajv: strings coerced to the declared types, defaults filled in), so the document and
 * the checks cannot drift. Errors read like JSON bodies' (`body/steps must be <= 50`, 400 VALIDATION_ERROR).
 */
import type { FastifyRequest } from 'fastify';
import type { Static, TObject, TSchema } from '@sinclair/typebox';
import { HttpError } from '../../shared/errors.ts';
import { nonFinitePath } from './validation.ts';

export interface MultipartBody<T extends TObject = TObject> {
  /** Every part: text fields and file parts (format binary), with which are required. */
  readonly schema: T;
  /** Where a missing required text field has a code of its own (e.g. MISSING_LABELS), its error. */
  readonly missing?: Readonly<Record<string, () => HttpError>>;
}

export function multipartBody<T extends TObject>(schema: T, missing?: MultipartBody['missing']): MultipartBody<T> {
  return { schema, ...(missing ? { missing } : {}) };
}

const isBinary = (schema: TSchema | undefined): boolean => (schema as { format?: string } | undefined)?.format === 'binary';

/** The file parts of a body: name → whether it takes several files. */
export function fileParts(body: MultipartBody): ReadonlyMap<string, { readonly many: boolean }> {
  const parts = new Map<string, { many: boolean }>();
  for (const [name, schema] of Object.entries(body.schema.properties)) {
    if (isBinary(schema)) parts.set(name, { many: false });
    else if ((schema as { type?: string }).type === 'array' && isBinary((schema as { items?: TSchema }).items)) parts.set(name, { many: true });
  }
  return parts;
}

export const isFilePart = (body: MultipartBody, name: string): boolean => fileParts(body).has(name);
export const isTextField = (body: MultipartBody, name: string): boolean => Object.hasOwn(body.schema.properties, name) && !isFilePart(body, name);

const textSchemas = new WeakMap<MultipartBody, TObject>();

/** The schema of the text fields alone (one object per body, so fastify compiles it once). */
export function textFieldsSchema(body: MultipartBody): TObject {
  let schema = textSchemas.get(body);
  if (schema === undefined) {
    const files = fileParts(body);
    const properties = Object.fromEntries(Object.entries(body.schema.properties).filter(([name]) => !files.has(name)));
    const required = (body.schema.required ?? []).filter((name) => !files.has(name));
    const { required: _all, ...rest } = body.schema;
    schema = { ...rest, properties, ...(required.length > 0 ? { required } : {}) } as TObject;
    textSchemas.set(body, schema);
  }
  return schema;
}

/** The text fields' types (file parts left out). */
export type MultipartFields<T extends TObject> = { [K in keyof Static<T> as NonNullable<Static<T>[K]> extends Buffer | Buffer[] ? never : K]: Static<T>[K] };

/**
 * Checks the collected text fields against the body's schema and returns them typed (numbers and
 * booleans parsed, defaults filled in). Values are trimmed; an empty field counts as absent.
 */
export function validateFields<T extends TObject>(
  request: FastifyRequest,
  body: MultipartBody<T>,
  fields: Readonly<Record<string, string>>,
): MultipartFields<T> {
  const value: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(fields)) {
    const text = raw.trim();
    if (text !== '') value[name] = text;
  }
  const schema = textFieldsSchema(body);
  for (const name of schema.required ?? []) {
    const missing = body.missing?.[name];
    if (missing && value[name] === undefined) throw missing();
  }
  const validate = request.compileValidationSchema(schema, 'body');
  if (!validate(value)) {
    const error = validate.errors?.[0];
    throw new HttpError(400, 'VALIDATION_ERROR', `body${error?.instancePath ?? ''} ${error?.message ?? 'is invalid'}`);
  }
  const nonFinite = nonFinitePath(value); // see refuseNonFinite
  if (nonFinite !== undefined) throw new HttpError(400, 'VALIDATION_ERROR', `body${nonFinite} must be a finite number`);
  return value as MultipartFields<T>;
}
