import { ROLES } from '../../auth/api-keys.ts';
import { uuidParams } from '../shared-schemas.ts';

export const apiKeySchema = {
  type: 'object',
  required: ['id', 'name', 'role', 'prefix', 'createdAt', 'revokedAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: ['string', 'null'] },
    role: { type: 'string', enum: ROLES },
    prefix: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    revokedAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

export const createKeySchema = {
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['role'],
    properties: {
      role: { type: 'string', enum: ROLES },
      name: { type: 'string', minLength: 1, maxLength: 100 },
    },
  },
  response: {
    201: {
      type: 'object',
      required: [...apiKeySchema.required, 'key'],
      properties: { ...apiKeySchema.properties, key: { type: 'string' } },
    },
  },
} as const;

export const listKeysSchema = {
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
      includeRevoked: { type: 'boolean', default: false },
    },
  },
  response: { 200: { type: 'object', required: ['keys'], properties: { keys: { type: 'array', items: apiKeySchema } } } },
} as const;

export const revokeKeySchema = { params: uuidParams, response: { 200: apiKeySchema } } as const;
