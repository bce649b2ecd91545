/**
 * The contracts of the session routes: `POST /adapt` and `POST /predict` (each as JSON with base64
 * images, or multipart with file parts; both bodies described here and checked against these
 * schemas), `GET` and `DELETE /sessions/:id`. The bounds that configuration sets (MAX_ADAPT_STEPS,
 * SESSION_MAX_TTL_SECONDS) come in as limits; openapi.yaml shows their defaults. Image count and
 * size are checked while reading (413 TOO_MANY_FILES / FILE_TOO_LARGE); the request body limit
 * bounds a JSON body as a whole.
 */
import { SESSION_ID_PATTERN } from '../../sessions/store.ts';
import { BadRequest, errorResponse, NotFound, TooLarge, Unauthorized, Unavailable, Unprocessable, UnsupportedImage } from '../../contract/errors.ts';
import { multipartBody } from '../../contract/multipart.ts';
import { defineRoute, empty, json } from '../../contract/route.ts';
import { Binary, DateTime, Dictionary, Type, Uuid } from '../../contract/schema.ts';
import { missingLabels } from './input.ts';
import { MAX_LABEL_LENGTH } from './labels.ts';

export interface SessionLimits {
  readonly maxAdaptSteps: number;
  readonly sessionMaxTtlSeconds: number;
}

const SessionId = Type.String({ pattern: SESSION_ID_PATTERN });
const SessionParams = Type.Object({ id: SessionId });
const Base64Image = Type.String({ minLength: 1, description: 'base64 image bytes (standard or URL-safe alphabet; a data: URL prefix is allowed)' });
const Images = Type.Array(Binary(), { description: 'PNG, JPEG or WebP files, one part each' });

const timings = <K extends string>(fields: readonly K[], description?: string) =>
  Type.Object(Object.fromEntries(fields.map((f) => [f, Type.Number()])) as Record<K, ReturnType<typeof Type.Number>>, description ? { description } : {});

/** The errors both image routes share. */
const imageErrors = { 400: BadRequest, 401: Unauthorized, 404: NotFound, 413: TooLarge, 415: UnsupportedImage, 503: Unavailable } as const;

export function adaptRoute(limits: SessionLimits) {
  /** The settings a support set may come with, alike in JSON and multipart bodies. */
  const settings = {
    model: Type.Optional(
      Type.String({ pattern: '^[A-Za-z0-9._-]+$', minLength: 1, maxLength: 200, description: 'model id or name (default: the default model)' }),
    ),
    steps: Type.Optional(
      Type.Integer({ minimum: 1, maximum: limits.maxAdaptSteps, description: "inner steps (default: the model's test-time steps; at most MAX_ADAPT_STEPS)" }),
    ),
    ttlSeconds: Type.Optional(
      Type.Integer({
        minimum: 10,
        maximum: limits.sessionMaxTtlSeconds,
        description: 'session lifetime (default SESSION_TTL_SECONDS; at most SESSION_MAX_TTL_SECONDS)',
      }),
    ),
    headOnly: Type.Optional(Type.Boolean({ description: "adapt only the head (ANIL-style; default: the model's recorded setting)" })),
  };
  return defineRoute({
    method: 'POST',
    url: '/adapt',
    auth: 'client',
    tags: ['sessions'],
    summary: 'Adapt a model to a support set; returns a session for /predict',
    description: [
      "Runs MAML's inner loop from the model's meta-trained weights on the support images and caches",
      'the adapted weights θ′ for the session in Redis. Labels are any text (no control characters);',
      'distinct labels, in order of first appearance, become the classes. Their number must fit the',
      'model (its n-way, or 2 up to its output count for a zero-initialised head): otherwise 422.',
      'One class only is refused (422); unequal shots per class are supported.',
      'Images (PNG, JPEG or WebP, any size within the limits) are preprocessed exactly as in training.',
      '',
    ].join('\n'),
    multipart: multipartBody(
      Type.Object(
        {
          labels: Type.String({ description: 'JSON array of strings, one per image, in the order of the image parts' }),
          images: Images,
          ...settings,
        },
        { additionalProperties: false },
      ),
      { labels: missingLabels },
    ),
    body: Type.Object(
      {
        support: Type.Array(Type.Object({ label: Type.String({ maxLength: MAX_LABEL_LENGTH }), image: Base64Image }, { additionalProperties: false }), {
          minItems: 1,
        }),
        ...settings,
      },
      { additionalProperties: false },
    ),
    responses: {
      201: json(
        'Session created',
        Type.Object({
          sessionId: Type.String(),
          modelId: Uuid(),
          labels: Type.Array(Type.String()),
          expiresAt: DateTime(),
          steps: Type.Optional(Type.Integer()),
          headOnly: Type.Optional(Type.Boolean({ description: 'whether only the head was adapted' })),
          support: Type.Object({ loss: Type.Number(), accuracy: Type.Number() }),
          timings: timings(['queueMs', 'decodeMs', 'adaptMs'], 'milliseconds waiting for a free inference thread, decoding the images, adapting'),
        }),
        serverTimingHeader,
      ),
      ...imageErrors,
      422: Unprocessable,
    },
  });
}

/** Where the server time went (src/api/routes/sessions/server-timing.ts). */
const serverTimingHeader = {
  'Server-Timing': {
    description:
      'Where the server time went, in ms (W3C Server-Timing), phases in request order: accept (routing, API key, rate limit), upload (receive and parse the body), resolve (model lookup), redis (session save or load), queue (wait for an inference thread), dispatch (hand-over to the thread and back), decode (images), adapt or predict (the computation), encode (θ′ for the store; for /predict the answer), total. The phases sum to at most total.',
    schema: {
      type: 'string',
      example:
        'accept;dur=0.30, upload;dur=0.80, resolve;dur=0.21, queue;dur=0.05, dispatch;dur=0.40, decode;dur=0.92, adapt;dur=1.63, encode;dur=0.08, redis;dur=0.35, total;dur=4.90',
    },
  },
};

export const predictRoute = defineRoute({
  method: 'POST',
  url: '/predict',
  auth: 'client',
  tags: ['sessions'],
  summary: "Classify images against a session's adapted weights",
  description:
    "Each image is classified on its own: the network's batch norm layers normalise it with the statistics of the session's support set under the adapted weights (fixed at /adapt), so an image gets the same scores alone or in a batch, whatever else the request holds. (The MAML paper evaluates transductively, normalising a task's queries together; `npm run bench:accuracy` reports both.)",
  multipart: multipartBody(Type.Object({ sessionId: SessionId, images: Images }, { additionalProperties: false })),
  body: Type.Object({ sessionId: SessionId, images: Type.Array(Base64Image, { minItems: 1 }) }, { additionalProperties: false }),
  responses: {
    200: json(
      'One prediction per image, in input order; scores sum to 1',
      Type.Object({
        predictions: Type.Array(Type.Object({ label: Type.String(), scores: Dictionary(Type.Number()) })),
        timings: timings(['queueMs', 'decodeMs', 'predictMs']),
      }),
      serverTimingHeader,
    ),
    ...imageErrors,
    409: errorResponse("The session's stored weights cannot be read (SESSION_UNREADABLE); adapt a new session"),
  },
});

export const getSessionRoute = defineRoute({
  method: 'GET',
  url: '/sessions/:id',
  auth: 'client',
  tags: ['sessions'],
  summary: "A session of this key (another key's session is 404); extends its expiry",
  params: SessionParams,
  responses: {
    200: json(
      'The session',
      Type.Object({
        sessionId: Type.String(),
        modelId: Type.String(),
        labels: Type.Array(Type.String()),
        expiresAt: DateTime(),
        createdAt: DateTime(),
        steps: Type.Optional(Type.Integer()),
        support: Type.Optional(
          Type.Object({
            loss: Type.Optional(Type.Number()),
            accuracy: Type.Optional(Type.Number()),
            shots: Type.Optional(Dictionary(Type.Integer(), { description: 'images per label' })),
          }),
        ),
      }),
    ),
    400: BadRequest,
    401: Unauthorized,
    404: NotFound,
    503: Unavailable,
  },
});

export const deleteSessionRoute = defineRoute({
  method: 'DELETE',
  url: '/sessions/:id',
  auth: 'client',
  tags: ['sessions'],
  summary: 'Delete a session of this key',
  params: SessionParams,
  responses: { 204: empty('Deleted'), 400: BadRequest, 401: Unauthorized, 404: NotFound, 503: Unavailable },
});
