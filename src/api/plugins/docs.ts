/**
 * `GET /docs`: Swagger UI of the OpenAPI document generated from the route contracts
 * (src/api/contract), built with this server's limits; openapi.yaml is the same document with the
 * default limits (`npm run generate:openapi`). The document the UI gets names the server as `/`,
 * the page's own origin, so "Try it out" calls the API the page came from (behind a proxy, on any
 * host or port), not the file's example server.
 */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { parse } from 'yaml';
import { packageFile } from '../../package-root.ts';
import { loadConfig } from '../../shared/config.ts';
import { buildOpenApi } from '../contract/openapi.ts';
import { toYaml } from '../contract/yaml.ts';
import { apiContracts, type ContractLimits, contractLimits, EXTRA_SCHEMAS } from '../routes/contracts.ts';

export const OPENAPI_PATH = packageFile('openapi.yaml');

/** The committed openapi.yaml, parsed. */
export async function loadOpenApi(): Promise<Record<string, unknown>> {
  return parse(await readFile(OPENAPI_PATH, 'utf8')) as Record<string, unknown>;
}

/** The document under these limits (default: the configuration's defaults, as openapi.yaml has them). */
export function openApiDocument(limits: ContractLimits = contractLimits(loadConfig({}))): Record<string, unknown> {
  return buildOpenApi(apiContracts(limits), EXTRA_SCHEMAS);
}

/** openapi.yaml's text as `npm run generate:openapi` writes it. */
export function openApiYaml(): string {
  return toYaml(openApiDocument());
}

/** The document as served to Swagger UI: with its servers replaced by the page's origin. */
export function servedDocument(document: Record<string, unknown>): Record<string, unknown> {
  return { ...document, servers: [{ url: '/', description: 'this server' }] };
}

/** Registered in its own encapsulated context, so the onRoute hook marks only the docs routes public. */
export default async function docsPlugin(app: FastifyInstance, options: { limits: ContractLimits }): Promise<void> {
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, auth: 'public' };
  });
  await app.register(swagger, { mode: 'static', specification: { document: servedDocument(openApiDocument(options.limits)) as never } });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
}
