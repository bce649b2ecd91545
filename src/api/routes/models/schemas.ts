export const modelSchema = {
  type: 'object',
  required: ['id', 'name', 'version', 'architecture', 'algorithm', 'nWay', 'ways', 'capabilities', 'inputShape', 'weights', 'metrics', 'status', 'isDefault', 'createdAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    version: { type: 'integer' },
    architecture: { type: 'object', additionalProperties: true },
    algorithm: { type: 'string' },
    nWay: { type: 'integer' },
    ways: { type: 'object', required: ['min', 'max'], properties: { min: { type: 'integer' }, max: { type: 'integer' } } },
    capabilities: {
      type: 'object',
      required: ['output', 'input', 'ways', 'resettableHead', 'stagedPipeline'],
      properties: {
        output: { type: 'string', enum: ['softmax', 'regression'] },
        input: { type: 'string', enum: ['image', 'rows'] },
        ways: { type: 'string', enum: ['up-to-outputs', 'as-trained'] },
        resettableHead: { type: 'boolean' },
        stagedPipeline: { type: 'boolean' },
      },
    },
    inputShape: { type: 'array', items: { type: 'integer' } },
    weights: {
      type: 'object',
      required: ['sha256', 'bytes'],
      properties: { sha256: { type: 'string' }, bytes: { type: 'integer' } },
    },
    metrics: { type: 'object', additionalProperties: true },
    status: { type: 'string', enum: ['training', 'ready', 'archived'] },
    isDefault: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const listModelsSchema = {
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
      status: { type: 'string', enum: ['training', 'ready', 'archived'] },
    },
  },
  response: {
    200: { type: 'object', required: ['models'], properties: { models: { type: 'array', items: modelSchema } } },
  },
} as const;

export const getModelSchema = {
  params: {
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._-]+$' } },
  },
  response: { 200: modelSchema },
} as const;

export const importModelSchema = {
  querystring: {
    type: 'object',
    required: ['name'],
    additionalProperties: false,
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
      promote: { type: 'boolean', default: false },
    },
  },
} as const;
