/**
 * `GET /capabilities`: every kind the service knows, from the one list of each (src/core/kinds.ts):
 * networks (output, input, servable ways), algorithms (learned-rate shape, order, usable as a
 * pipeline stage) and TensorFlow.js backends. The console fills its forms from it; public.
 */
import type { FastifyInstance } from 'fastify';
import { ALGORITHMS, BACKENDS, META_ALGORITHMS, NETWORK_KINDS, NETWORKS } from '../../../core/kinds.ts';
import { capabilitiesSchema } from './schemas.ts';

export function capabilitiesView() {
  return {
    networks: NETWORK_KINDS.map((kind) => ({ kind, ...NETWORKS[kind] })),
    algorithms: META_ALGORITHMS.map((name) => ({ name, ...ALGORITHMS[name] })),
    backends: [...BACKENDS],
  };
}

export default async function capabilitiesRoutes(app: FastifyInstance): Promise<void> {
  const view = capabilitiesView();
  app.get('/capabilities', { config: { auth: 'public' }, schema: capabilitiesSchema }, async () => view);
}
