/**
 * The model registry, admin side: `POST /models/:id/promote` (default for /adapt),
 * `GET /models/:id/weights` (the safetensors file), `POST /models` (import a safetensors
 * checkpoint, validated against its metadata: every parameter the network needs, with its shape;
 * see import-check.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Db } from '../../../shared/db/client.ts';
import { HttpError } from '../../../shared/errors.ts';
import { promoteModel, registerModel } from '../../../shared/models/registry.ts';
import type { ArtifactStore } from '../../../shared/storage/artifact-store.ts';
import { findModel } from '../../../shared/models/lookup.ts';
import { modelView } from './routes.ts';
import { checkImport } from './import-check.ts';
import { routeOptions } from '../../contract/route.ts';
import { importModelRoute, modelWeightsRoute, promoteModelRoute, SAFETENSORS_TYPES } from './schemas.ts';

export interface ModelManageOptions {
  readonly db: Db;
  readonly store: ArtifactStore;
  readonly maxModelBytes: number;
  /** Tells every replica (this one included) that the registry changed: caches forget their rows. */
  readonly announce: (modelId: string) => Promise<void>;
}

export default async function modelManageRoutes(fastify: FastifyInstance, options: ModelManageOptions): Promise<void> {
  const { db, store, announce } = options;
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.route({
    ...routeOptions(promoteModelRoute),
    handler: async (request) => {
      const model = await findModel(db, request.params.id);
      if (model.status !== 'ready') throw new HttpError(409, 'MODEL_NOT_READY', `model ${model.id} is ${model.status}`);
      const promoted = await promoteModel(db, model.id);
      await announce(promoted.id);
      return modelView(promoted);
    },
  });

  app.route({
    ...routeOptions(modelWeightsRoute),
    handler: async (request, reply) => {
      const model = await findModel(db, request.params.id);
      const body = await store.stream(model.weightsSha256); // streamed: never whole in memory
      return reply
        .type('application/octet-stream')
        .header('content-length', String(model.weightsBytes))
        .header('content-disposition', `attachment; filename="${model.name}-v${model.version}.safetensors"`)
        .header('x-content-sha256', model.weightsSha256)
        .send(body);
    },
  });

  // The raw body of an import is the safetensors file itself (the content types its contract names).
  app.addContentTypeParser(SAFETENSORS_TYPES, { parseAs: 'buffer', bodyLimit: options.maxModelBytes }, (_request, body, done) => done(null, body));
  app.route({
    ...routeOptions(importModelRoute),
    bodyLimit: options.maxModelBytes,
    handler: async (request, reply) => {
      const bytes: unknown = request.body;
      if (!Buffer.isBuffer(bytes)) throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the safetensors file as application/octet-stream');
      const checkpoint = await checkImport(bytes); // header and shapes here, the value scan in a thread
      const model = await registerModel(db, store, { name: request.query.name, checkpoint, makeDefault: request.query.promote });
      await announce(model.id); // a new default, or a new latest version of its name
      return reply.status(201).send(modelView(model));
    },
  });
}
