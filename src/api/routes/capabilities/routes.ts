/**
 * `GET /capabilities`: every kind the service knows, from the one list of each (src/core/kinds.ts):
 * networks (output, input, servable ways), algorithms (learned-rate shape, order, usable as a
 * pipeline stage) and TensorFlow.js backends. The console fills its forms from it; public.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ALGORITHMS, BACKENDS, META_ALGORITHMS, NETWORK_KINDS, NETWORKS } from '../../../core/kinds.ts';
import { routeOptions } from '../../contract/route.ts';
import type { Static } from '../../contract/schema.ts';
import { type Capabilities, capabilitiesRoute } from './schemas.ts';

export function capabilitiesView(): Static<typeof Capabilities> {
  return {
    networks: NETWORK_KINDS.map((kind) => ({ kind, ...NETWORKS[kind] })),
    algorithms: META_ALGORITHMS.map((name) => ({ name, ...ALGORITHMS[name] })),
    backends: [...BACKENDS],
  };
}

export default async function capabilitiesRoutes(app: FastifyInstance): Promise<void> {
  const view = capabilitiesView();
  app.withTypeProvider<TypeBoxTypeProvider>().route({ ...routeOptions(capabilitiesRoute), handler: async () => view });
}
