/** `GET /docs`: Swagger UI of openapi.yaml (the file is the contract; the UI is served from it). */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { parse } from 'yaml';
import { packageFile } from '../package-root.ts';

export const OPENAPI_PATH = packageFile('openapi.yaml');

export async function loadOpenApi(): Promise<Record<string, unknown>> {
  return parse(await readFile(OPENAPI_PATH, 'utf8')) as Record<string, unknown>;
}

/** Registered in its own encapsulated context, so the onRoute hook marks only the docs routes public. */
export default async function docsPlugin(app: FastifyInstance): Promise<void> {
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, auth: 'public' };
  });
  await app.register(swagger, { mode: 'static', specification: { document: (await loadOpenApi()) as never } });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
}
