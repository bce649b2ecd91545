/** The model registry over HTTP, read side: `GET /models`, `GET /models/:id` (a uuid, or a name for its latest version: src/shared/models/lookup.ts). */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Db } from '../../../shared/db/client.ts';
import type { Model } from '../../../generated/prisma/client.ts';
import { networkCapabilities, servableWays } from '../../../core/kinds.ts';
import type { NetworkSpec } from '../../../core/types.ts';
import { findModel } from '../../../shared/models/lookup.ts';
import { routeOptions } from '../../contract/route.ts';
import type { Static } from '../../contract/schema.ts';
import { getModelRoute, listModelsRoute, type Model as ModelSchema } from './schemas.ts';

export function modelView(model: Model): Static<typeof ModelSchema> {
  return {
    id: model.id,
    name: model.name,
    version: model.version,
    architecture: model.architecture as Record<string, unknown>,
    algorithm: model.algorithm,
    nWay: model.nWay,
    ways: servableWays(model.architecture as unknown as NetworkSpec, model.nWay),
    capabilities: networkCapabilities(model.architecture as unknown as NetworkSpec),
    inputShape: model.inputShape,
    weights: { sha256: model.weightsSha256, bytes: Number(model.weightsBytes) },
    metrics: model.metrics as Record<string, unknown>,
    status: model.status,
    isDefault: model.isDefault,
    createdAt: model.createdAt.toISOString(),
  };
}

export default async function modelRoutes(fastify: FastifyInstance, options: { db: Db }): Promise<void> {
  const { db } = options;
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.route({
    ...routeOptions(listModelsRoute),
    handler: async (request) => {
      const { limit, status } = request.query;
      const models = await db.model.findMany({
        where: status ? { status } : {},
        orderBy: [{ isDefault: 'desc' }, { createdAt: 'desc' }],
        take: limit,
      });
      return { models: models.map(modelView) };
    },
  });

  app.route({ ...routeOptions(getModelRoute), handler: async (request) => modelView(await findModel(db, request.params.id)) });
}
