/** The contracts of the API key routes (admin): create, list, revoke. */
import { ROLES } from '../../auth/api-keys.ts';
import { BadRequest, Forbidden, NotFound, Unauthorized, Unavailable } from '../../contract/errors.ts';
import { defineRoute, json } from '../../contract/route.ts';
import { component, Defaulted, DateTime, Nullable, StringEnum, Type, Uuid, UuidParams } from '../../contract/schema.ts';

export const KeyRole = component(
  'KeyRole',
  StringEnum(ROLES, { description: 'client (adapt/predict on its own sessions, read models) or admin (everything)' }),
);

export const ApiKey = component(
  'ApiKey',
  Type.Object({
    id: Uuid(),
    name: Nullable(Type.String()),
    role: KeyRole,
    prefix: Type.String({ description: "The key's first 10 characters" }),
    createdAt: DateTime(),
    revokedAt: Nullable(DateTime()),
  }),
);

const admin = { 400: BadRequest, 401: Unauthorized, 403: Forbidden } as const;

export const createKeyRoute = defineRoute({
  method: 'POST',
  url: '/keys',
  auth: 'admin',
  tags: ['keys'],
  summary: 'Create an API key (admin); its secret is in this response only',
  description: "Only the key's sha256 is stored. `prefix` (the first 10 characters) identifies it in lists and logs.",
  body: Type.Object({ role: KeyRole, name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) }, { additionalProperties: false }),
  responses: {
    201: json('Created; `key` is the secret (`mk_` and 43 base64url characters)', Type.Object({ ...ApiKey.properties, key: Type.String() })),
    ...admin,
    503: Unavailable,
  },
});

export const listKeysRoute = defineRoute({
  method: 'GET',
  url: '/keys',
  auth: 'admin',
  tags: ['keys'],
  summary: 'API keys, newest first, without secrets (admin)',
  querystring: Type.Object(
    {
      limit: Defaulted(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
      includeRevoked: Defaulted(Type.Boolean({ default: false })),
    },
    { additionalProperties: false },
  ),
  responses: { 200: json('Keys', Type.Object({ keys: Type.Array(ApiKey) })), ...admin, 503: Unavailable },
});

export const revokeKeyRoute = defineRoute({
  method: 'DELETE',
  url: '/keys/:id',
  auth: 'admin',
  tags: ['keys'],
  summary: 'Revoke an API key (admin)',
  description:
    'Idempotent (a revoked key keeps its first revocation time). The key stops working at once on the API process that revoked it, and within a minute on the others (they cache known keys).',
  params: UuidParams,
  responses: { 200: json('The revoked key', ApiKey), ...admin, 404: NotFound, 503: Unavailable },
});
