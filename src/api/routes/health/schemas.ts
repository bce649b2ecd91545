export const healthSchema = {
  response: {
    200: {
      type: 'object',
      required: ['status', 'uptimeSeconds', 'backend', 'instance'],
      properties: { status: { const: 'ok' }, uptimeSeconds: { type: 'integer' }, backend: { type: 'string' }, instance: { type: 'string' } },
    },
  },
} as const;

const check = { type: 'string', enum: ['up', 'down'] } as const;
const readyBody = {
  type: 'object',
  required: ['status', 'checks'],
  properties: {
    status: { type: 'string', enum: ['ready', 'unavailable'] },
    checks: { type: 'object', required: ['postgres', 'redis'], properties: { postgres: check, redis: check } },
  },
} as const;

export const readySchema = { response: { 200: readyBody, 503: readyBody } } as const;
