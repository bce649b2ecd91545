/**
 * API keys (admin): `POST /keys` (the secret is in this response only; PostgreSQL keeps its
 * sha256), `GET /keys` (never secrets nor hashes), `DELETE /keys/:id` (revoke; idempotent).
 */
import type { FastifyInstance } from 'fastify';
import { createApiKey, listApiKeys, revokeApiKey, type Role } from '../../auth/api-keys.ts';
import type { Db } from '../../../shared/db/client.ts';
import { NotFoundError } from '../../../shared/errors.ts';
import { createKeySchema, listKeysSchema, revokeKeySchema } from './schemas.ts';

export default async function keyRoutes(app: FastifyInstance, options: { db: Db }): Promise<void> {
  const { db } = options;

  app.post<{ Body: { role: Role; name?: string } }>('/keys', { config: { auth: 'admin' }, schema: createKeySchema }, async (request, reply) => {
    const { key, id, view } = await createApiKey(db, request.body.role, request.body.name?.trim() || undefined);
    request.log.info({ keyId: id, role: request.body.role, by: request.apiKey?.id }, 'API key created');
    return reply.status(201).send({ ...view, key });
  });

  app.get<{ Querystring: { limit: number; includeRevoked: boolean } }>('/keys', { config: { auth: 'admin' }, schema: listKeysSchema }, async (request) => ({
    keys: await listApiKeys(db, request.query),
  }));

  app.delete<{ Params: { id: string } }>('/keys/:id', { config: { auth: 'admin' }, schema: revokeKeySchema }, async (request) => {
    const revoked = await revokeApiKey(db, request.params.id);
    if (!revoked) throw new NotFoundError('API key', request.params.id);
    app.forgetApiKey(revoked.id);
    request.log.info({ keyId: revoked.id, by: request.apiKey?.id }, 'API key revoked');
    return revoked;
  });
}
