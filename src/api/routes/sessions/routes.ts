/**
 * Few-shot sessions: `POST /adapt` (support set → θ′ cached in Redis), `POST /predict`,
 * `GET /sessions/:id`, `DELETE /sessions/:id`. Decoding and the math run on the inference
 * threads; this file only moves bytes and checks input.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../../shared/config.ts';
import { HttpError, NotFoundError } from '../../../shared/errors.ts';
import type { ModelCatalog } from '../../inference/model-catalog.ts';
import type { InferencePool } from '../../inference/pool.ts';
import { newSessionId, SESSION_ID_PATTERN, type SessionStore } from '../../sessions/store.ts';
import { decodeBase64Image, intField, parseLabelsField, readMultipart, tooManyFiles, type ImageUpload } from './input.ts';
import { planLabels } from './labels.ts';
import { withFittingModel } from './fitting.ts';
import type { Db } from '../../../shared/db/client.ts';
import { adaptSchema, deleteSessionSchema, getSessionSchema, predictSchema } from './schemas.ts';
import { serverTiming } from './server-timing.ts';

export interface SessionRoutesOptions {
  readonly config: Config;
  readonly catalog: ModelCatalog;
  readonly pool: InferencePool;
  readonly sessions: SessionStore;
  readonly db: Db;
}

interface AdaptJson {
  model?: string;
  support: { label: string; image: string }[];
  steps?: number;
  ttlSeconds?: number;
  headOnly?: boolean;
}

interface PredictJson {
  sessionId: string;
  images: string[];
}

const round = (ms: number) => Math.round(ms * 10) / 10;

export default async function sessionRoutes(app: FastifyInstance, options: SessionRoutesOptions): Promise<void> {
  const { config, catalog, pool, sessions, db } = options;
  const limits = { maxFileBytes: config.maxFileBytes, maxFiles: config.maxFiles };

  async function upload(request: FastifyRequest): Promise<ImageUpload> {
    if (request.isMultipart()) return readMultipart(request, limits);
    const body = request.body as Partial<AdaptJson & PredictJson> | undefined;
    if (!body || typeof body !== 'object') throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send multipart/form-data or application/json');
    const count = body.support?.length ?? body.images?.length ?? 0;
    if (count > config.maxFiles) throw tooManyFiles(count, config.maxFiles);
    if (body.support) {
      return {
        images: body.support.map((s, i) => decodeBase64Image(s.image, i, config.maxFileBytes)),
        labels: body.support.map((s) => s.label),
        names: body.support.map((s) => `label ${JSON.stringify(String(s.label).slice(0, 200))}`),
        fields: Object.fromEntries(
          Object.entries({ model: body.model, steps: body.steps, ttlSeconds: body.ttlSeconds, headOnly: body.headOnly })
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => [k, String(v)]),
        ),
      };
    }
    return {
      images: (body.images ?? []).map((image, i) => decodeBase64Image(image, i, config.maxFileBytes)),
      labels: null,
      names: [],
      fields: body.sessionId === undefined ? {} : { sessionId: body.sessionId },
    };
  }

  // Overloaded: refuse before the upload is read or parsed, so shedding stays cheap.
  const shedWhenSaturated = async () => pool.assertAccepting();

  app.post('/adapt', { config: { auth: 'client' }, schema: adaptSchema(config), onRequest: shedWhenSaturated }, async (request, reply) => {
    const accepted = reply.elapsedTime;
    const { images, names, labels, fields } = await upload(request);
    const uploaded = reply.elapsedTime;
    const model = await catalog.resolve(fields['model']);
    const plan = await withFittingModel(db, () => planLabels(labels ?? parseLabelsField(fields['labels']), images.length, model));
    const steps = intField(fields, 'steps', model.settings.steps, 1, config.maxAdaptSteps);
    const ttlSeconds = intField(fields, 'ttlSeconds', config.sessionTtlSeconds, 10, config.sessionMaxTtlSeconds);
    const headOnly = fields['headOnly'] === undefined ? model.settings.headOnly : fields['headOnly'] === 'true';
    const preprocessing = model.metadata.preprocessing;
    if (!preprocessing) throw new HttpError(422, 'MODEL_NOT_IMAGE', `model ${model.row.name} does not take images`);

    const resolved = reply.elapsedTime;
    const result = await pool.adapt({
      model: { sha256: model.row.weightsSha256 },
      images: { files: images, names, preprocessing, maxPixels: config.maxImagePixels },
      labels: plan.units,
      ways: plan.distinct.length,
      steps,
      headOnly,
    });
    const computed = reply.elapsedTime;
    app.metrics.adaptSeconds.observe({ model: model.row.name }, result.adaptMs / 1000);
    app.metrics.sessionsCreated.inc({ model: model.row.name });
    const id = newSessionId();
    const createdAt = new Date().toISOString();
    const expiresAt = await sessions.save(
      {
        id,
        owner: request.apiKey!.id,
        modelId: model.row.id,
        modelSha256: model.row.weightsSha256,
        labels: plan.distinct,
        ttlSeconds,
        createdAt,
        steps,
        support: { loss: result.loss, accuracy: result.accuracy, shots: plan.shots },
      },
      result.theta,
    );
    const saved = reply.elapsedTime;
    reply.header(
      'server-timing',
      serverTiming({
        accept: accepted,
        upload: uploaded - accepted,
        resolve: resolved - uploaded,
        queue: result.queueMs,
        dispatch: computed - resolved - result.queueMs - result.decodeMs - result.adaptMs,
        decode: result.decodeMs,
        adapt: result.adaptMs - result.encodeMs,
        encode: result.encodeMs,
        redis: saved - computed,
        total: reply.elapsedTime,
      }),
    );
    return reply.status(201).send({
      sessionId: id,
      modelId: model.row.id,
      labels: plan.distinct,
      expiresAt: expiresAt.toISOString(),
      steps,
      headOnly,
      support: { loss: result.loss, accuracy: result.accuracy },
      timings: { queueMs: round(result.queueMs), decodeMs: round(result.decodeMs), adaptMs: round(result.adaptMs) },
    });
  });

  app.post('/predict', { config: { auth: 'client' }, schema: predictSchema(), onRequest: shedWhenSaturated }, async (request, reply) => {
    const accepted = reply.elapsedTime;
    const { images, names, fields } = await upload(request);
    const uploaded = reply.elapsedTime;
    const id = fields['sessionId'];
    if (!id || !new RegExp(SESSION_ID_PATTERN).test(id)) throw new HttpError(400, 'VALIDATION_ERROR', 'field "sessionId" must be a session id');
    if (images.length === 0) throw new HttpError(400, 'NO_IMAGES', 'send at least one image');
    const session = await sessions.load(id, request.apiKey!.id, true);
    const loaded = reply.elapsedTime;
    if (!session) throw new NotFoundError('session', id);
    const model = await catalog.resolve(session.meta.modelId);
    const ways = session.meta.labels.length;
    const resolved = reply.elapsedTime;
    const result = await pool.predict({
      model: { sha256: session.meta.modelSha256 },
      theta: session.theta,
      images: { files: images, names, preprocessing: model.metadata.preprocessing!, maxPixels: config.maxImagePixels },
      ways,
    });
    const computed = reply.elapsedTime;
    app.metrics.predictSeconds.observe({ model: model.row.name }, result.predictMs / 1000);
    const predictions = images.map((_, i) => {
      const row = result.probabilities.subarray(i * ways, (i + 1) * ways);
      let best = 0;
      for (let k = 1; k < ways; k++) if (row[k]! > row[best]!) best = k;
      return { label: session.meta.labels[best]!, scores: Object.fromEntries(session.meta.labels.map((label, k) => [label, row[k]!])) };
    });
    reply.header(
      'server-timing',
      serverTiming({
        accept: accepted,
        upload: uploaded - accepted,
        redis: loaded - uploaded,
        resolve: resolved - loaded,
        queue: result.queueMs,
        dispatch: computed - resolved - result.queueMs - result.decodeMs - result.predictMs,
        decode: result.decodeMs,
        predict: result.predictMs,
        encode: reply.elapsedTime - computed,
        total: reply.elapsedTime,
      }),
    );
    return { predictions, timings: { queueMs: round(result.queueMs), decodeMs: round(result.decodeMs), predictMs: round(result.predictMs) } };
  });

  app.get<{ Params: { id: string } }>('/sessions/:id', { config: { auth: 'client' }, schema: getSessionSchema }, async (request) => {
    const session = await sessions.load(request.params.id, request.apiKey!.id, false);
    if (!session) throw new NotFoundError('session', request.params.id);
    const { meta } = session;
    return {
      sessionId: meta.id,
      modelId: meta.modelId,
      labels: meta.labels,
      expiresAt: session.expiresAt.toISOString(),
      createdAt: meta.createdAt,
      steps: meta.steps,
      support: meta.support,
    };
  });

  app.delete<{ Params: { id: string } }>('/sessions/:id', { config: { auth: 'client' }, schema: deleteSessionSchema }, async (request, reply) => {
    if (!(await sessions.delete(request.params.id, request.apiKey!.id))) throw new NotFoundError('session', request.params.id);
    return reply.status(204).send();
  });
}
