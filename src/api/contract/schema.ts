/**
 * TypeBox building blocks of the HTTP contract. A schema is written once here or in a route
 * folder's schemas.ts: fastify validates and serialises with it, handlers get their types from it
 * (Static<>, the TypeBox type provider), and openapi.yaml is generated from it. `component` names a
 * schema: the generated document defines it once under components.schemas and refers to it by $ref
 * (the name rides on a symbol, invisible to ajv, fast-json-stringify and JSON).
 */
import { type SchemaOptions, type Static, type TSchema, type TUnsafe, Type } from '@sinclair/typebox';

export { type Static, type TObject, type TSchema, Type } from '@sinclair/typebox';

export const COMPONENT = Symbol.for('maml.openapi.component');

/** Names `schema` as an OpenAPI component (its own object, so the name sticks to this schema only). */
export function component<T extends TSchema>(name: string, schema: T): T {
  return Object.assign(schema, { [COMPONENT]: name });
}

/** The component name of a schema, if it has one. */
export function componentName(schema: object): string | undefined {
  return (schema as { [COMPONENT]?: string })[COMPONENT];
}

/** `{ type: 'string', enum }`: one schema (ajv says "must be equal to one of the allowed values"), not an anyOf of literals. */
export function StringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** `{ type: [T, 'null'] }` for a string, number or integer schema: the one-schema form readers know. */
export function Nullable<T extends TSchema>(schema: T, options: SchemaOptions = {}): TUnsafe<Static<T> | null> {
  const { type, ...rest } = schema as unknown as { type: string };
  return Type.Unsafe<Static<T> | null>({ ...rest, type: [type, 'null'], ...options });
}

/** A file part of a multipart body, or a binary body (`format: binary`; the TypeScript client types it Blob). */
export function Binary(options: SchemaOptions = {}): TUnsafe<Buffer> {
  return Type.Unsafe<Buffer>({ type: 'string', format: 'binary', ...options });
}

/** An object with any properties (free-form JSON the server passes through, e.g. a model's metrics). */
export function FreeObject(options: SchemaOptions = {}): TUnsafe<Record<string, unknown>> {
  return Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true, ...options });
}

/**
 * A field with a default: optional to send (left out of `required`), and always set once validated
 * (fastify's ajv fills the default in), so handlers see it typed as present.
 */
export function Defaulted<T extends TSchema>(schema: T): T {
  return Type.Optional(schema) as unknown as T;
}

/** An object mapping any key to `value` (`additionalProperties: value`), e.g. scores by label. */
export function Dictionary<T extends TSchema>(value: T, options: SchemaOptions = {}): TUnsafe<Record<string, Static<T>>> {
  return Type.Unsafe<Record<string, Static<T>>>({ type: 'object', additionalProperties: value, ...options });
}

export const Uuid = (options: SchemaOptions = {}) => Type.String({ format: 'uuid', ...options });
export const DateTime = (options: SchemaOptions = {}) => Type.String({ format: 'date-time', ...options });

/** `:id` as a uuid (training jobs, datasets, keys). */
export const UuidParams = Type.Object({ id: Uuid() });

/** `?limit=` of the list routes (models, datasets, training jobs): 1 to 200, default 50. */
export const PageLimit = Defaulted(Type.Integer({ minimum: 1, maximum: 200, default: 50 }));
