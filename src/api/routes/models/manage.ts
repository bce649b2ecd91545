/**
 * The model registry, admin side: `POST /models/:id/promote` (default for /adapt),
 * `GET /models/:id/weights` (the safetensors file), `POST /models` (import a safetensors
 * checkpoint, validated against its metadata: every parameter the network needs, with its shape;
 * see import-check.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../../shared/db/client.ts';
import { HttpError } from '../../../shared/errors.ts';
import { promoteModel, registerModel } from '../../../shared/models/registry.ts';
import type { ArtifactStore } from '../../../shared/storage/artifact-store.ts';
import { findModel } from '../../../shared/models/lookup.ts';
import { modelView } from './routes.ts';
import { checkImport } from './import-check.ts';
import { getModelSchema, importModelSchema, modelSchema } from './schemas.ts';

export interface ModelManageOptions {
  readonly db: Db;
  readonly store: ArtifactStore;
  readonly maxModelBytes: number;
  /** Tells every replica (this one included) that the registry changed: caches forget their rows. */
  readonly announce: (modelId: string) => Promise<void>;
}

export default async function modelManageRoutes(app: FastifyInstance, options: ModelManageOptions): Promise<void> {
  const { db, store, announce } = options;

  app.post<{ Params: { id: string } }>('/models/:id/promote', { config: { auth: 'admin' }, schema: { ...getModelSchema } }, async (request) => {
    const model = await findModel(db, request.params.id);
    if (model.status !== 'ready') throw new HttpError(409, 'MODEL_NOT_READY', `model ${model.id} is ${model.status}`);
    const promoted = await promoteModel(db, model.id);
    await announce(promoted.id);
    return modelView(promoted);
  });

  app.get<{ Params: { id: string } }>('/models/:id/weights', { config: { auth: 'client' }, schema: { params: getModelSchema.params } }, async (request, reply) => {
    const model = await findModel(db, request.params.id);
    const body = await store.stream(model.weightsSha256); // streamed: never whole in memory
    return reply
      .type('application/octet-stream')
      .header('content-length', String(model.weightsBytes))
      .header('content-disposition', `attachment; filename="${model.name}-v${model.version}.safetensors"`)
      .header('x-content-sha256', model.weightsSha256)
      .send(body);
  });

  // The raw body of an import is the safetensors file itself.
  app.addContentTypeParser(['application/octet-stream', 'application/vnd.safetensors'], { parseAs: 'buffer', bodyLimit: options.maxModelBytes }, (_request, body, done) =>
    done(null, body),
  );
  app.post<{ Querystring: { name: string; promote?: boolean }; Body: Buffer }>(
    '/models',
    { config: { auth: 'admin' }, schema: { ...importModelSchema, response: { 201: modelSchema } }, bodyLimit: options.maxModelBytes },
    async (request, reply) => {
      if (!Buffer.isBuffer(request.body)) throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the safetensors file as application/octet-stream');
      const checkpoint = await checkImport(request.body); // header and shapes here, the value scan in a thread
      const model = await registerModel(db, store, { name: request.query.name, checkpoint, makeDefault: request.query.promote ?? false });
      await announce(model.id); // a new default, or a new latest version of its name
      return reply.status(201).send(modelView(model));
    },
  );
}
