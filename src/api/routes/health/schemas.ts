/** The contracts of `/healthz`, `/readyz` and `/metrics` (src/api/contract/route.ts says what a contract holds). */
import { Unavailable } from '../../contract/errors.ts';
import { defineRoute, json, raw } from '../../contract/route.ts';
import { component, StringEnum, Type } from '../../contract/schema.ts';

export const Health = component(
  'Health',
  Type.Object({
    status: Type.Literal('ok'),
    uptimeSeconds: Type.Integer(),
    backend: Type.String({ description: 'TensorFlow.js backend in use' }),
    instance: Type.String({ description: 'Which replica answered: host name and process id' }),
  }),
);

const check = StringEnum(['up', 'down']);
export const Readiness = component(
  'Readiness',
  Type.Object({
    status: StringEnum(['ready', 'unavailable']),
    checks: Type.Object({ postgres: check, redis: check }),
  }),
);

export const healthRoute = defineRoute({
  method: 'GET',
  url: '/healthz',
  auth: 'public',
  tags: ['operations'],
  summary: "Liveness (the process is up and accepting requests); the load balancer's check",
  description:
    '200 while this replica accepts requests; 503 SHUTTING_DOWN once it has received SIGTERM, so a load balancer stops sending it traffic while in-flight requests finish. It stays 200 while PostgreSQL is down (sessions keep working on models already loaded); /readyz reports the dependencies.',
  responses: { 200: json('Up', Health), 503: Unavailable },
});

export const readyRoute = defineRoute({
  method: 'GET',
  url: '/readyz',
  auth: 'public',
  tags: ['operations'],
  summary: 'Readiness (PostgreSQL and Redis reachable)',
  responses: {
    200: json('Ready', Readiness),
    503: json('A dependency is down (see `checks`)', Readiness, { 'Retry-After': { schema: { type: 'integer' } } }),
  },
});

export const metricsRoute = defineRoute({
  method: 'GET',
  url: '/metrics',
  auth: 'public',
  tags: ['operations'],
  summary: 'Prometheus metrics',
  responses: { 200: raw('Prometheus text exposition format', 'text/plain') },
});
