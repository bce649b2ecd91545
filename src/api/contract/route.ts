/**
 * A route's contract, declared once in its folder's schemas.ts: method, URL, who may call it,
 * params, query, body (JSON, multipart fields and files, or raw bytes) and every answer (success
 * schemas and the shared error shape). `routeOptions` turns it into fastify's route options
 * (validation, serialisation, `config.auth`, and the contract itself for the route table), and
 * src/api/contract/openapi.ts turns the list of contracts into openapi.yaml.
 */
import type { TObject, TSchema, TUnknown } from '@sinclair/typebox';
import { ErrorBody, type ErrorResponse } from './errors.ts';
import type { MultipartBody } from './multipart.ts';
import { refuseNonFinite } from './validation.ts';

export type RouteAuth = 'public' | 'client' | 'admin';
export type Tag = 'operations' | 'sessions' | 'models' | 'training' | 'datasets' | 'keys';
type Headers = Readonly<Record<string, { readonly description?: string; readonly schema: object }>>;

/** A JSON answer with its schema (validated by fast-json-stringify on the way out: unknown fields are dropped). */
export interface JsonResponse<T extends TSchema = TSchema> {
  readonly kind: 'json';
  readonly description: string;
  readonly schema: T;
  readonly headers?: Headers;
}

/** A non-JSON answer (an event stream, an image, a file, metrics text): documented, not serialised. */
export interface RawResponse {
  readonly kind: 'raw';
  readonly description: string;
  readonly contentType: string;
  readonly schema: object;
}

export interface EmptyResponse {
  readonly kind: 'empty';
  readonly description: string;
}

export type ResponseSpec = JsonResponse | RawResponse | EmptyResponse | ErrorResponse;

export const json = <T extends TSchema>(description: string, schema: T, headers?: Headers): JsonResponse<T> => ({
  kind: 'json',
  description,
  schema,
  ...(headers ? { headers } : {}),
});
export const raw = (description: string, contentType: string, schema: object = { type: 'string' }): RawResponse => ({
  kind: 'raw',
  description,
  contentType,
  schema,
});
export const empty = (description: string): EmptyResponse => ({ kind: 'empty', description });

export interface RouteContract<
  P extends TObject | undefined = TObject | undefined,
  Q extends TObject | undefined = TObject | undefined,
  B extends TSchema | undefined = TSchema | undefined,
  R extends Readonly<Record<number, ResponseSpec>> = Readonly<Record<number, ResponseSpec>>,
  M extends MultipartBody | undefined = MultipartBody | undefined,
> {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** fastify's form (`/models/:id`); the document writes `/models/{id}`. */
  readonly url: string;
  readonly tags: readonly Tag[];
  readonly summary: string;
  readonly description?: string;
  readonly auth: RouteAuth;
  readonly params?: P;
  readonly querystring?: Q;
  /** An application/json body. */
  readonly body?: B;
  /** A multipart/form-data body (read by the handler; its text fields checked with this description). */
  readonly multipart?: M;
  /** A raw body (the bytes of a file) in one of these content types. */
  readonly binary?: { readonly contentTypes: readonly string[]; readonly description?: string };
  readonly responses: R;
}

/** Declares a contract (keeps its literal types, so handlers get precise request and reply types). */
export function defineRoute<
  P extends TObject | undefined = undefined,
  Q extends TObject | undefined = undefined,
  B extends TSchema | undefined = undefined,
  const R extends Readonly<Record<number, ResponseSpec>> = Readonly<Record<number, ResponseSpec>>,
  M extends MultipartBody | undefined = undefined,
>(contract: RouteContract<P, Q, B, R, M>): RouteContract<P, Q, B, R, M> {
  return contract;
}

/**
 * The schema fastify serialises each status with: JSON answers and errors. Non-JSON answers have
 * none at run time (their bytes go out as they are); for the reply's type they are `unknown`.
 */
type ResponseSchemas<R> = {
  [K in keyof R]: R[K] extends JsonResponse<infer T> ? T : R[K] extends ErrorResponse ? typeof ErrorBody : TUnknown;
};

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's contract (src/api/contract): the route table and the openapi test read it. */
    contract?: RouteContract;
  }
}

/**
 * fastify's route options for a contract: method, url, config (auth, contract), schema, and the
 * preHandler that refuses non-finite numbers (validation.ts); a route adds its own hooks beside them.
 */
export function routeOptions<
  P extends TObject | undefined,
  Q extends TObject | undefined,
  B extends TSchema | undefined,
  R extends Readonly<Record<number, ResponseSpec>>,
  M extends MultipartBody | undefined,
>(contract: RouteContract<P, Q, B, R, M>) {
  const response: Record<number, TSchema> = {};
  for (const [status, spec] of Object.entries(contract.responses) as [string, ResponseSpec][]) {
    if (spec.kind === 'json') response[Number(status)] = spec.schema;
    else if (spec.kind === 'error') response[Number(status)] = ErrorBody;
  }
  // A JSON body beside a multipart one is validated for application/json only (multipart is read by the handler).
  const body = contract.body && contract.multipart ? { content: { 'application/json': { schema: contract.body } } } : contract.body;
  return {
    method: contract.method,
    url: contract.url,
    config: { auth: contract.auth, contract: contract as RouteContract },
    preHandler: refuseNonFinite,
    schema: {
      ...(contract.params ? { params: contract.params } : {}),
      ...(contract.querystring ? { querystring: contract.querystring } : {}),
      ...(body ? { body } : {}),
      response,
    } as {
      params: P extends TObject ? P : undefined;
      querystring: Q extends TObject ? Q : undefined;
      body: B extends TSchema ? B : undefined;
      response: ResponseSchemas<R>;
    },
  };
}
