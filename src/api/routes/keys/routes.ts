/**
 * API keys (admin): `POST /keys` (the secret is in this response only; PostgreSQL keeps its
 * sha256), `GET /keys` (never secrets nor hashes), `DELETE /keys/:id` (revoke; idempotent).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { createApiKey, listApiKeys, revokeApiKey } from '../../auth/api-keys.ts';
import type { Db } from '../../../shared/db/client.ts';
import { NotFoundError } from '../../../shared/errors.ts';
import { routeOptions } from '../../contract/route.ts';
import { createKeyRoute, listKeysRoute, revokeKeyRoute } from './schemas.ts';

export default async function keyRoutes(fastify: FastifyInstance, options: { db: Db }): Promise<void> {
  const { db } = options;
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.route({
    ...routeOptions(createKeyRoute),
    handler: async (request, reply) => {
      const { key, id, view } = await createApiKey(db, request.body.role, request.body.name?.trim() || undefined);
      request.log.info({ keyId: id, role: request.body.role, by: request.apiKey?.id }, 'API key created');
      return reply.status(201).send({ ...view, key });
    },
  });

  app.route({
    ...routeOptions(listKeysRoute),
    handler: async (request) => ({ keys: await listApiKeys(db, request.query) }),
  });

  app.route({
    ...routeOptions(revokeKeyRoute),
    handler: async (request) => {
      const revoked = await revokeApiKey(db, request.params.id);
      if (!revoked) throw new NotFoundError('API key', request.params.id);
      app.forgetApiKey(revoked.id);
      request.log.info({ keyId: revoked.id, by: request.apiKey?.id }, 'API key revoked');
      return revoked;
    },
  });
}
