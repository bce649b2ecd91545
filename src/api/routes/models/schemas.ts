/** The contracts of the model registry's routes: `GET /models`, `GET /models/:id`, promote, weights, import. */
import { BadRequest, errorResponse, Forbidden, NotFound, TooLarge, Unauthorized, Unavailable } from '../../contract/errors.ts';
import { defineRoute, json, raw } from '../../contract/route.ts';
import { Binary, component, Defaulted, DateTime, FreeObject, StringEnum, Type, Uuid, PageLimit } from '../../contract/schema.ts';
import { NetworkCapabilities } from '../capabilities/schemas.ts';

export const ModelStatus = component('ModelStatus', StringEnum(['training', 'ready', 'archived']));

export const Model = component(
  'Model',
  Type.Object({
    id: Uuid(),
    name: Type.String(),
    version: Type.Integer(),
    architecture: FreeObject({
      description: 'Network spec (kind, variant, inputSize, channels, filters, outputs, headInit: random, zero or prototype, normalization: batch or frozen)',
    }),
    algorithm: Type.String(),
    nWay: Type.Integer({ description: 'Classes per task the model was trained on (1 for a prototype-headed model that serves any number)' }),
    ways: Type.Object({ min: Type.Integer(), max: Type.Integer() }, { description: 'The fewest and most classes a session with this model may have' }),
    capabilities: NetworkCapabilities,
    inputShape: Type.Array(Type.Integer(), { description: '[height, width, channels]' }),
    weights: Type.Object({ sha256: Type.String(), bytes: Type.Integer() }),
    metrics: FreeObject({
      description:
        "Evaluation at the end of training (mean and 95 % CI): `test` scores each task's queries as one batch (as the MAML paper), `testPerImage` each query alone as /predict does; `validation`, settings, iterations, training time",
    }),
    status: ModelStatus,
    isDefault: Type.Boolean(),
    createdAt: DateTime(),
  }),
);

/** The content types of an imported checkpoint's body (the safetensors file itself). */
export const SAFETENSORS_TYPES = ['application/octet-stream', 'application/vnd.safetensors'];

/** A model's uuid, or a name (its latest version). */
const ModelParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9._-]+$', minLength: 1, maxLength: 200 }) });

export const listModelsRoute = defineRoute({
  method: 'GET',
  url: '/models',
  auth: 'client',
  tags: ['models'],
  summary: 'The model registry (default model first, then newest)',
  querystring: Type.Object({ limit: PageLimit, status: Type.Optional(ModelStatus) }, { additionalProperties: false }),
  responses: { 200: json('Models', Type.Object({ models: Type.Array(Model) })), 400: BadRequest, 401: Unauthorized, 503: Unavailable },
});

export const importModelRoute = defineRoute({
  method: 'POST',
  url: '/models',
  auth: 'admin',
  tags: ['models'],
  summary: 'Import a safetensors checkpoint as a new model version (admin)',
  description: "The file's `__metadata__.maml` names the network; every parameter it needs must be present with its shape, float32 and finite.",
  querystring: Type.Object(
    {
      name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', minLength: 1, maxLength: 100 }),
      promote: Defaulted(Type.Boolean({ default: false })),
    },
    { additionalProperties: false },
  ),
  binary: { contentTypes: SAFETENSORS_TYPES },
  responses: {
    201: json('Registered', Model),
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    413: TooLarge,
    415: errorResponse('Not a safetensors body (UNSUPPORTED_MEDIA_TYPE)'),
    422: errorResponse('Not a valid checkpoint for its own metadata (INVALID_CHECKPOINT)'),
    503: Unavailable,
  },
});

export const getModelRoute = defineRoute({
  method: 'GET',
  url: '/models/:id',
  auth: 'client',
  tags: ['models'],
  summary: 'One model (by id, or by name for its latest version)',
  params: ModelParams,
  responses: { 200: json('The model', Model), 400: BadRequest, 401: Unauthorized, 404: NotFound, 503: Unavailable },
});

export const promoteModelRoute = defineRoute({
  method: 'POST',
  url: '/models/:id/promote',
  auth: 'admin',
  tags: ['models'],
  summary: 'Make this model the default for /adapt (admin)',
  params: ModelParams,
  responses: {
    200: json('The promoted model', Model),
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: errorResponse('The model is not ready (MODEL_NOT_READY)'),
    503: Unavailable,
  },
});

export const modelWeightsRoute = defineRoute({
  method: 'GET',
  url: '/models/:id/weights',
  auth: 'client',
  tags: ['models'],
  summary: "Download the model's safetensors file (tensor names and layouts in the README)",
  params: ModelParams,
  responses: {
    200: raw('The safetensors file; X-Content-Sha256 is its digest', 'application/octet-stream', Binary()),
    400: BadRequest,
    401: Unauthorized,
    404: NotFound,
    503: Unavailable,
  },
});
