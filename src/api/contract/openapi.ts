/**
 * Assembles the OpenAPI 3.1 document from the route contracts (src/api/contract/routes.ts) and
 * the human parts (document.ts): one operation per contract, path parameters shared by every
 * operation of a path written once on the path, named schemas (`component`) under
 * components.schemas and referred to by $ref, the shared error answers under components.responses.
 * `npm run generate:openapi` writes the result to openapi.yaml; /docs serves it.
 */
import type { TObject, TSchema } from '@sinclair/typebox';
import { ErrorBody, SHARED_ERRORS, type ErrorResponse } from './errors.ts';
import { DOCUMENT } from './document.ts';
import type { ResponseSpec, RouteContract } from './route.ts';
import { componentName } from './schema.ts';

type Json = Record<string, unknown>;

/** Schema keywords in the order the document writes them (others follow in their own order). */
const KEY_ORDER = [
  '$ref',
  'type',
  'const',
  'enum',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'exclusiveMinimum',
  'maximum',
  'minItems',
  'maxItems',
  'additionalProperties',
  'required',
  'properties',
  'items',
  'if',
  'then',
  'else',
  'anyOf',
  'oneOf',
  'allOf',
  'default',
  'description',
];
const rank = (key: string) => (KEY_ORDER.includes(key) ? KEY_ORDER.indexOf(key) : KEY_ORDER.length);
const SCHEMA_MAPS = new Set(['properties', 'patternProperties']);
const SCHEMA_LISTS = new Set(['anyOf', 'oneOf', 'allOf']);
const SCHEMA_KEYS = new Set(['items', 'additionalProperties', 'if', 'then', 'else', 'not', 'contentSchema']);

class Components {
  readonly schemas = new Map<string, Json>();
  private readonly sources = new Map<string, object>();

  /** A schema as the document writes it: plain keywords, named schemas as $ref. */
  convert(schema: TSchema | object, root = false): Json {
    const name = componentName(schema);
    if (name !== undefined && !root) {
      const known = this.sources.get(name);
      if (known !== undefined && known !== schema && JSON.stringify(known) !== JSON.stringify(schema)) {
        throw new Error(`two different schemas are named ${name}`);
      }
      if (known === undefined) {
        this.sources.set(name, schema);
        this.schemas.set(name, this.convert(schema, true));
      }
      return { $ref: `#/components/schemas/${name}` };
    }
    const out: Json = {};
    for (const key of Object.keys(schema).sort((a, b) => rank(a) - rank(b))) {
      const value = (schema as Json)[key];
      if (SCHEMA_MAPS.has(key)) out[key] = Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, this.convert(v as object)]));
      else if (SCHEMA_LISTS.has(key)) out[key] = (value as object[]).map((v) => this.convert(v));
      else if (SCHEMA_KEYS.has(key) && typeof value === 'object' && value !== null) out[key] = this.convert(value);
      else out[key] = structuredClone(value);
    }
    return out;
  }
}

const toPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function parameters(c: Components, where: 'path' | 'query', schema: TObject | undefined): Json[] {
  if (!schema) return [];
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties).map(([name, property]) => ({
    name,
    in: where,
    ...(where === 'path' || required.has(name) ? { required: true } : {}),
    schema: c.convert(property),
  }));
}

function requestBody(c: Components, contract: RouteContract): Json | undefined {
  const content: Json = {};
  if (contract.multipart) content['multipart/form-data'] = { schema: c.convert(contract.multipart.schema) };
  if (contract.body) content['application/json'] = { schema: c.convert(contract.body) };
  for (const type of contract.binary?.contentTypes ?? [])
    content[type] = { schema: { type: 'string', format: 'binary', ...(contract.binary?.description ? { description: contract.binary.description } : {}) } };
  return Object.keys(content).length > 0 ? { required: true, content } : undefined;
}

function errorContent(c: Components, spec: ErrorResponse): Json {
  return {
    description: spec.description,
    ...(spec.headers ? { headers: spec.headers } : {}),
    content: { 'application/json': { schema: c.convert(ErrorBody) } },
  };
}

function response(c: Components, spec: ResponseSpec): Json {
  switch (spec.kind) {
    case 'json':
      return {
        description: spec.description,
        ...(spec.headers ? { headers: spec.headers } : {}),
        content: { 'application/json': { schema: c.convert(spec.schema) } },
      };
    case 'raw':
      return { description: spec.description, content: { [spec.contentType]: { schema: c.convert(spec.schema) } } };
    case 'empty':
      return { description: spec.description };
    case 'error':
      return spec.name ? { $ref: `#/components/responses/${spec.name}` } : errorContent(c, spec);
  }
}

function operation(c: Components, contract: RouteContract): Json {
  const params = [...parameters(c, 'path', contract.params), ...parameters(c, 'query', contract.querystring)];
  const body = requestBody(c, contract);
  return {
    tags: [...contract.tags],
    summary: contract.summary,
    ...(contract.description ? { description: contract.description } : {}),
    ...(contract.auth === 'public' ? { security: [] } : {}),
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(body ? { requestBody: body } : {}),
    responses: Object.fromEntries(Object.entries(contract.responses).map(([status, spec]) => [status, response(c, spec as ResponseSpec)])),
  };
}

/** Path parameters every operation of a path declares alike move up to the path. */
function hoistPathParameters(item: Record<string, Json>): Json {
  const operations = Object.values(item);
  const pathParams = (op: Json) => ((op.parameters as Json[] | undefined) ?? []).filter((p) => p.in === 'path');
  const shared = JSON.stringify(pathParams(operations[0]!));
  if (operations.length < 2 || shared === '[]' || !operations.every((op) => JSON.stringify(pathParams(op)) === shared)) return item;
  const rest = (op: Json) => {
    const left = ((op.parameters as Json[]) ?? []).filter((p) => p.in !== 'path');
    const { parameters: _, ...others } = op;
    return left.length > 0 ? { ...others, parameters: left } : others;
  };
  return { parameters: pathParams(operations[0]!), ...Object.fromEntries(Object.entries(item).map(([method, op]) => [method, rest(op)])) };
}

/** The OpenAPI document of `routes` (in their order), with the extra named schemas clients use (e.g. events). */
export function buildOpenApi(routes: readonly RouteContract[], extraSchemas: readonly TSchema[] = []): Json {
  const c = new Components();
  const paths: Record<string, Record<string, Json>> = {};
  for (const contract of routes) {
    const item = (paths[toPath(contract.url)] ??= {});
    const method = contract.method.toLowerCase();
    if (item[method]) throw new Error(`two contracts for ${contract.method} ${contract.url}`);
    item[method] = operation(c, contract);
  }
  for (const schema of extraSchemas) c.convert(schema);
  const responses = Object.fromEntries(SHARED_ERRORS.map((spec) => [spec.name!, errorContent(c, spec)]));
  const schemas = Object.fromEntries([...c.schemas.entries()].sort(([a], [b]) => a.localeCompare(b)));
  return {
    openapi: '3.1.0',
    info: DOCUMENT.info,
    servers: DOCUMENT.servers,
    security: DOCUMENT.security,
    tags: DOCUMENT.tags,
    paths: Object.fromEntries(Object.entries(paths).map(([p, item]) => [p, hoistPathParameters(item)])),
    components: { securitySchemes: DOCUMENT.securitySchemes, responses, schemas },
  };
}
