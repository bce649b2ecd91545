import { SESSION_ID_PATTERN } from '../../sessions/store.ts';
import { MAX_LABEL_LENGTH } from './labels.ts';

export interface SchemaLimits {
  readonly maxAdaptSteps: number;
  readonly sessionMaxTtlSeconds: number;
}

// Image count and size are checked by the handler (413 TOO_MANY_FILES / FILE_TOO_LARGE, like
// multipart uploads); the request body limit bounds the JSON as a whole.
const modelRef = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._-]+$' } as const;
const sessionId = { type: 'string', pattern: SESSION_ID_PATTERN } as const;
const timings = (fields: string[]) => ({
  type: 'object',
  required: fields,
  properties: Object.fromEntries(fields.map((f) => [f, { type: 'number' }])),
});

const sessionView = {
  type: 'object',
  required: ['sessionId', 'modelId', 'labels', 'expiresAt', 'createdAt'],
  properties: {
    sessionId: { type: 'string' },
    modelId: { type: 'string' },
    labels: { type: 'array', items: { type: 'string' } },
    expiresAt: { type: 'string', format: 'date-time' },
    createdAt: { type: 'string', format: 'date-time' },
    steps: { type: 'integer' },
    support: {
      type: 'object',
      properties: { loss: { type: 'number' }, accuracy: { type: 'number' }, shots: { type: 'object', additionalProperties: { type: 'integer' } } },
    },
  },
} as const;

export function adaptSchema(limits: SchemaLimits) {
  const json = {
    type: 'object',
    additionalProperties: false,
    required: ['support'],
    properties: {
      model: modelRef,
      support: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['label', 'image'],
          properties: { label: { type: 'string', maxLength: MAX_LABEL_LENGTH }, image: { type: 'string', minLength: 1 } },
        },
      },
      steps: { type: 'integer', minimum: 1, maximum: limits.maxAdaptSteps },
      ttlSeconds: { type: 'integer', minimum: 10, maximum: limits.sessionMaxTtlSeconds },
      headOnly: { type: 'boolean' },
    },
  };
  return {
    body: { content: { 'application/json': { schema: json } } },
    response: {
      201: {
        type: 'object',
        required: ['sessionId', 'modelId', 'labels', 'expiresAt', 'support', 'timings'],
        properties: {
          sessionId: { type: 'string' },
          modelId: { type: 'string' },
          labels: { type: 'array', items: { type: 'string' } },
          expiresAt: { type: 'string', format: 'date-time' },
          steps: { type: 'integer' },
          headOnly: { type: 'boolean' },
          support: { type: 'object', required: ['loss', 'accuracy'], properties: { loss: { type: 'number' }, accuracy: { type: 'number' } } },
          timings: timings(['queueMs', 'decodeMs', 'adaptMs']),
        },
      },
    },
  };
}

export function predictSchema() {
  const json = {
    type: 'object',
    additionalProperties: false,
    required: ['sessionId', 'images'],
    properties: {
      sessionId,
      images: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
    },
  };
  return {
    body: { content: { 'application/json': { schema: json } } },
    response: {
      200: {
        type: 'object',
        required: ['predictions', 'timings'],
        properties: {
          predictions: {
            type: 'array',
            items: {
              type: 'object',
              required: ['label', 'scores'],
              properties: { label: { type: 'string' }, scores: { type: 'object', additionalProperties: { type: 'number' } } },
            },
          },
          timings: timings(['queueMs', 'decodeMs', 'predictMs']),
        },
      },
    },
  };
}

const idParams = { type: 'object', required: ['id'], properties: { id: sessionId } } as const;
export const getSessionSchema = { params: idParams, response: { 200: sessionView } } as const;
export const deleteSessionSchema = { params: idParams } as const;
