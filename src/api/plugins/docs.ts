/**
 * `GET /docs`: Swagger UI of openapi.yaml (the file is the contract; the UI is served from it). The
 * document the UI gets names the server as `/`, the page's own origin, so "Try it out" calls the
 * API the page came from (behind a proxy, on any host or port), not the file's example server.
 */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { parse } from 'yaml';
import { packageFile } from '../../package-root.ts';

export const OPENAPI_PATH = packageFile('openapi.yaml');

export async function loadOpenApi(): Promise<Record<string, unknown>> {
  return parse(await readFile(OPENAPI_PATH, 'utf8')) as Record<string, unknown>;
}

/** The document as served to Swagger UI: the file's, with its servers replaced by the page's origin. */
export function servedDocument(document: Record<string, unknown>): Record<string, unknown> {
  return { ...document, servers: [{ url: '/', description: 'this server' }] };
}

/** Registered in its own encapsulated context, so the onRoute hook marks only the docs routes public. */
export default async function docsPlugin(app: FastifyInstance): Promise<void> {
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, auth: 'public' };
  });
  await app.register(swagger, { mode: 'static', specification: { document: servedDocument(await loadOpenApi()) as never } });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
}
