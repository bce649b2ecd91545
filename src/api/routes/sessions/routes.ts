/**
 * Few-shot sessions: `POST /adapt` (support set → θ′ cached in Redis), `POST /predict`,
 * `GET /sessions/:id`, `DELETE /sessions/:id`. Decoding and the math run on the inference
 * threads; this file only moves bytes and checks input.
 * A multipart upload starts being read in the route's preValidation hook, before the rate limit's
 * preHandler (src/api/plugins/rate-limit.ts): its Redis round trip and the parse overlap, and the
 * handler awaits the upload only once the limit let the request through. A refused request still
 * gets its 429 (the upload it started is read and dropped, within the same size limits); auth and
 * load shedding (onRequest) still run before anything is read.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../../../shared/config.ts';
import { HttpError, NotFoundError } from '../../../shared/errors.ts';
import type { ModelCatalog } from '../../inference/model-catalog.ts';
import type { InferencePool } from '../../inference/pool.ts';
import { newSessionId, type SessionMeta, type SessionStore } from '../../sessions/store.ts';
import { routeOptions } from '../../contract/route.ts';
import type { Static } from '../../contract/schema.ts';
import { decodeBase64Image, parseLabelsField, readMultipart, tooManyFiles, type ImageUpload } from './input.ts';
import { planLabels } from './labels.ts';
import { withFittingModel } from './fitting.ts';
import type { Db } from '../../../shared/db/client.ts';
import { adaptRoute, deleteSessionRoute, getSessionRoute, predictRoute } from './schemas.ts';
import { serverTiming } from './server-timing.ts';

export interface SessionRoutesOptions {
  readonly config: Config;
  readonly catalog: ModelCatalog;
  readonly pool: InferencePool;
  readonly sessions: SessionStore;
  readonly db: Db;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** A JSON body, or the 415 for a request that is neither JSON nor multipart. */
function jsonBody<T>(request: FastifyRequest): T {
  const body = request.body as T | undefined;
  if (!body || typeof body !== 'object') throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send multipart/form-data or application/json');
  return body;
}

export default async function sessionRoutes(fastify: FastifyInstance, options: SessionRoutesOptions): Promise<void> {
  const { config, catalog, pool, sessions, db } = options;
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const limits = { maxFileBytes: config.maxFileBytes, maxFiles: config.maxFiles };
  const adapt = adaptRoute(config);

  type AdaptJson = Static<NonNullable<typeof adapt.body>>;
  type AdaptFields = Omit<AdaptJson, 'support'> & { labels?: string };
  async function adaptUpload(request: FastifyRequest): Promise<ImageUpload<AdaptFields>> {
    if (request.isMultipart()) return readMultipart(request, limits, adapt.multipart!);
    const { support, ...fields } = jsonBody<AdaptJson>(request);
    if (support.length > config.maxFiles) throw tooManyFiles(support.length, config.maxFiles);
    return {
      images: support.map((s, i) => decodeBase64Image(s.image, i, config.maxFileBytes)),
      labels: support.map((s) => s.label),
      names: support.map((s) => `label ${JSON.stringify(String(s.label).slice(0, 200))}`),
      fields,
    };
  }

  type PredictJson = Static<NonNullable<typeof predictRoute.body>>;
  async function predictUpload(request: FastifyRequest): Promise<ImageUpload<{ sessionId: string }>> {
    if (request.isMultipart()) return readMultipart(request, limits, predictRoute.multipart!);
    const { images, sessionId } = jsonBody<PredictJson>(request);
    if (images.length > config.maxFiles) throw tooManyFiles(images.length, config.maxFiles);
    return { images: images.map((image, i) => decodeBase64Image(image, i, config.maxFileBytes)), labels: null, names: [], fields: { sessionId } };
  }

  // Overloaded: refuse before the upload is read or parsed, so shedding stays cheap.
  const shedWhenSaturated = async () => pool.assertAccepting();

  /** Multipart uploads started before the rate limit's verdict (see the header), by request. */
  const started = new WeakMap<FastifyRequest, Promise<ImageUpload<unknown>>>();
  const startReading = (read: (request: FastifyRequest) => Promise<ImageUpload<unknown>>) => async (request: FastifyRequest) => {
    if (!request.isMultipart()) return;
    const upload = read(request);
    upload.catch(() => undefined); // a request refused before its handler never awaits it
    started.set(request, upload);
  };
  const upload = <F>(request: FastifyRequest, read: (request: FastifyRequest) => Promise<ImageUpload<F>>): Promise<ImageUpload<F>> =>
    (started.get(request) as Promise<ImageUpload<F>> | undefined) ?? read(request);

  app.route({
    ...routeOptions(adapt),
    onRequest: shedWhenSaturated,
    preValidation: startReading(adaptUpload),
    handler: async (request, reply) => {
      const accepted = reply.elapsedTime;
      const { images, names, labels, fields } = await upload(request, adaptUpload);
      const uploaded = reply.elapsedTime;
      const model = await catalog.resolve(fields.model);
      const plan = await withFittingModel(db, () => planLabels(labels ?? parseLabelsField(fields.labels), images.length, model));
      const steps = fields.steps ?? model.settings.steps;
      const ttlSeconds = fields.ttlSeconds ?? config.sessionTtlSeconds;
      const headOnly = fields.headOnly ?? model.settings.headOnly;
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
    },
  });

  app.route({
    ...routeOptions(predictRoute),
    onRequest: shedWhenSaturated,
    preValidation: startReading(predictUpload),
    handler: async (request, reply) => {
      const accepted = reply.elapsedTime;
      const { images, names, fields } = await upload(request, predictUpload);
      const uploaded = reply.elapsedTime;
      if (images.length === 0) throw new HttpError(400, 'NO_IMAGES', 'send at least one image');
      const owner = request.apiKey!.id;
      /** The model lookup, then the thread's work (`dispatched` once it is handed over); times on the reply's clock. */
      const compute = async (meta: SessionMeta, theta: Buffer, dispatched = () => {}) => {
        const started = reply.elapsedTime;
        const model = await catalog.resolve(meta.modelId);
        const resolvedAt = reply.elapsedTime;
        const computing = pool.predict({
          model: { sha256: meta.modelSha256 },
          theta,
          images: { files: images, names, preprocessing: model.metadata.preprocessing!, maxPixels: config.maxImagePixels },
          ways: meta.labels.length,
        });
        dispatched(); // the task is posted to a thread by now (the model's weights known present)
        const result = await computing;
        return { model, result, resolve: resolvedAt - started, computed: reply.elapsedTime, resolvedAt };
      };
      // A session this replica holds (it saved or read it before) is computed on while Redis confirms
      // that it still exists and is this key's (and slides its expiry): the round trip overlaps the
      // thread's work, and the load's socket write comes after the task is posted. Gone or not
      // theirs: the result is dropped and the answer is 404, as without it.
      const held = sessions.peek(fields.sessionId);
      let early: ReturnType<typeof compute> | undefined;
      if (held?.meta.owner === owner) {
        await new Promise<void>((dispatched) => {
          early = compute(held.meta, held.theta, dispatched);
          early.then(
            () => dispatched(),
            () => dispatched(),
          ); // refused before it was posted (a model gone): go on
        });
        early!.catch(() => undefined); // awaited below unless the session turns out to be gone
      }
      const session = await sessions.load(fields.sessionId, owner, true);
      const loaded = reply.elapsedTime;
      if (!session) throw new NotFoundError('session', fields.sessionId);
      const { model, result, resolve, computed, resolvedAt } = await (early ?? compute(session.meta, session.theta));
      const ways = session.meta.labels.length;
      // Without the overlap, the phases follow one another; with it, `redis` is only the wait for
      // Redis beyond the computation (server-timing.ts).
      const redis = early ? Math.max(0, loaded - computed) : loaded - uploaded;
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
          redis,
          resolve,
          queue: result.queueMs,
          dispatch: computed - resolvedAt - result.queueMs - result.decodeMs - result.predictMs,
          decode: result.decodeMs,
          predict: result.predictMs,
          encode: reply.elapsedTime - Math.max(computed, loaded),
          total: reply.elapsedTime,
        }),
      );
      return { predictions, timings: { queueMs: round(result.queueMs), decodeMs: round(result.decodeMs), predictMs: round(result.predictMs) } };
    },
  });

  app.route({
    ...routeOptions(getSessionRoute),
    handler: async (request) => {
      const session = await sessions.load(request.params.id, request.apiKey!.id, false);
      if (!session) throw new NotFoundError('session', request.params.id);
      const { meta } = session;
      return {
        sessionId: meta.id,
        modelId: meta.modelId,
        labels: [...meta.labels],
        expiresAt: session.expiresAt.toISOString(),
        createdAt: meta.createdAt,
        steps: meta.steps,
        support: meta.support,
      };
    },
  });

  app.route({
    ...routeOptions(deleteSessionRoute),
    handler: async (request, reply) => {
      if (!(await sessions.delete(request.params.id, request.apiKey!.id))) throw new NotFoundError('session', request.params.id);
      return reply.status(204).send();
    },
  });
}
