/**
 * Watches an app's answers against the route contracts (src/api/contract): every answer of a route
 * that has a contract must have a documented status, a JSON body that validates against the
 * documented schema (errors against the shared Error shape), or the documented content type.
 * Uses its own ajv without coercion, so a string where the document says a number is caught.
 */
import type { FastifyInstance } from 'fastify';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { ErrorBody } from '../../src/api/contract/errors.ts';
import type { ResponseSpec } from '../../src/api/contract/route.ts';

export interface ContractWatch {
  /** What did not match, one line each ("POST /adapt 201: body/support must have required property 'loss'"). */
  readonly violations: string[];
  /** "METHOD url status" of every answer checked. */
  readonly seen: Set<string>;
}

/** Call before the app's first request (hooks are added before it is ready). */
export function watchContract(app: FastifyInstance): ContractWatch {
  const ajv = new Ajv({ strict: false, discriminator: true, allErrors: false });
  addFormats.default(ajv);
  const compiled = new WeakMap<object, ValidateFunction>();
  const validator = (schema: object) => {
    let validate = compiled.get(schema);
    if (!validate) compiled.set(schema, (validate = ajv.compile(schema)));
    return validate;
  };
  const watch: ContractWatch = { violations: [], seen: new Set() };
  app.addHook('onSend', async (request, reply, payload) => {
    const contract = request.routeOptions.config.contract;
    if (!contract) return payload;
    const name = `${contract.method} ${contract.url} ${reply.statusCode}`;
    watch.seen.add(name);
    const spec = (contract.responses as Record<number, ResponseSpec>)[reply.statusCode];
    const type = String(reply.getHeader('content-type') ?? '');
    if (!spec) watch.violations.push(`${name}: status not documented`);
    else if (spec.kind === 'raw' && !type.startsWith(spec.contentType)) watch.violations.push(`${name}: content type ${type}, documented ${spec.contentType}`);
    else if (spec.kind === 'empty' && payload !== undefined && payload !== null && String(payload) !== '')
      watch.violations.push(`${name}: a body where none is documented`);
    else if (spec.kind === 'json' || spec.kind === 'error') {
      const validate = validator(spec.kind === 'json' ? spec.schema : ErrorBody);
      if (!type.startsWith('application/json')) watch.violations.push(`${name}: content type ${type}, documented application/json`);
      else if (!validate(JSON.parse(String(payload))))
        watch.violations.push(`${name}: body${validate.errors?.[0]?.instancePath} ${validate.errors?.[0]?.message}`);
    }
    return payload;
  });
  return watch;
}
