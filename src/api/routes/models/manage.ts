/**
 * The model registry, admin side: `POST /models/:id/promote` (default for /adapt),
 * `GET /models/:id/weights` (the safetensors file), `POST /models` (import a safetensors
 * checkpoint, validated against its metadata: every parameter the network needs, with its shape).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { decodeCheckpoint, LEARNED_LR_PREFIX, SafetensorsError } from '../../../core/checkpoint/index.ts';
import { InvalidCheckpointMetadataError, MissingCheckpointMetadataError } from '../../../core/checkpoint/errors.ts';
import { createNetwork } from '../../../core/nets/index.ts';
import * as tf from '../../../core/tf.ts';
import type { Db } from '../../../shared/db/client.ts';
import { HttpError } from '../../../shared/errors.ts';
import { promoteModel, registerModel } from '../../../shared/models/registry.ts';
import type { ArtifactStore } from '../../../shared/storage/artifact-store.ts';
import { findModel } from '../../../shared/models/lookup.ts';
import { modelView } from './routes.ts';
import { routeOptions } from '../../contract/route.ts';
import { importModelRoute, modelWeightsRoute, promoteModelRoute, SAFETENSORS_TYPES } from './schemas.ts';

export interface ModelManageOptions {
  readonly db: Db;
  readonly store: ArtifactStore;
  readonly maxModelBytes: number;
  /** Tells every replica (this one included) that the registry changed: caches forget their rows. */
  readonly announce: (modelId: string) => Promise<void>;
}

/** Throws a 422 naming what is wrong when the checkpoint cannot serve as a model. */
export function validateImport(bytes: Uint8Array): void {
  let checkpoint;
  try {
    checkpoint = decodeCheckpoint(bytes);
  } catch (error) {
    if (error instanceof SafetensorsError || error instanceof InvalidCheckpointMetadataError || error instanceof MissingCheckpointMetadataError) {
      throw new HttpError(422, 'INVALID_CHECKPOINT', error.message);
    }
    throw error;
  }
  const { tensors, metadata } = checkpoint;
  let net;
  try {
    net = createNetwork(metadata.spec);
  } catch (error) {
    throw new HttpError(422, 'INVALID_CHECKPOINT', `metadata.spec: ${(error as Error).message}`);
  }
  const expected = tf.tidy(() => {
    const init = net.init(0);
    return Object.fromEntries(Object.entries(init).map(([name, t]) => [name, t.shape]));
  });
  const problems: string[] = [];
  for (const [name, shape] of Object.entries(expected)) {
    const found = tensors.get(name);
    const headOk = name.startsWith('head.') && found && found.shape.length === shape.length && found.shape.slice(0, -1).join() === shape.slice(0, -1).join();
    if (!found) problems.push(`missing ${name} ${JSON.stringify(shape)}`);
    else if (found.shape.join() !== shape.join() && !headOk) problems.push(`${name} has shape ${JSON.stringify(found.shape)}, expected ${JSON.stringify(shape)}`);
  }
  for (const name of tensors.keys()) {
    if (!(name in expected) && !name.startsWith(LEARNED_LR_PREFIX)) problems.push(`unexpected tensor ${name}`);
  }
  if (problems.length > 0) throw new HttpError(422, 'INVALID_CHECKPOINT', `the weights do not match the network in the metadata: ${problems.slice(0, 5).join('; ')}`);
  for (const [name, t] of tensors) {
    if (t.dtype !== 'float32') throw new HttpError(422, 'INVALID_CHECKPOINT', `tensor ${name} is ${t.dtype}; weights must be float32`);
    if (!(t.data as Float32Array).every(Number.isFinite)) throw new HttpError(422, 'INVALID_CHECKPOINT', `tensor ${name} has NaN or infinite values`);
  }
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
      validateImport(bytes);
      const model = await registerModel(db, store, { name: request.query.name, checkpoint: bytes, makeDefault: request.query.promote });
      await announce(model.id); // a new default, or a new latest version of its name
      return reply.status(201).send(modelView(model));
    },
  });
}
