/**
 * Prometheus metrics (prom-client, one registry per app): request durations by route and status,
 * queue depth by state, adaptation timings (registered here, observed by the routes that adapt).
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Queue } from 'bullmq';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { routeOptions } from '../contract/route.ts';
import { metricsRoute } from '../routes/health/schemas.ts';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: { registry: Registry; adaptSeconds: Histogram<'model'>; predictSeconds: Histogram<'model'>; sessionsCreated: Counter<'model'> };
  }
}

export interface MetricsOptions {
  readonly queues: readonly Queue[];
  /** The inference pool's load, sampled at scrape time. */
  readonly pool: () => { readonly queued: number; readonly utilization: number };
}

const JOB_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized'] as const;

async function metricsPlugin(app: FastifyInstance, options: MetricsOptions): Promise<void> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requestSeconds = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const adaptSeconds = new Histogram({
    name: 'maml_adapt_duration_seconds',
    help: 'Inner-loop adaptation time per /adapt request',
    labelNames: ['model'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const predictSeconds = new Histogram({
    name: 'maml_predict_duration_seconds',
    help: 'Prediction time per /predict request (inference thread)',
    labelNames: ['model'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const sessionsCreated = new Counter({
    name: 'maml_sessions_created_total',
    help: 'Sessions created by /adapt',
    labelNames: ['model'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'maml_inference_queue_depth',
    help: 'Adapt/predict requests waiting for an inference thread',
    registers: [registry],
    collect() {
      this.set(options.pool().queued);
    },
  });
  new Gauge({
    name: 'maml_inference_utilization',
    help: 'Share of the inference threads busy (0..1)',
    registers: [registry],
    collect() {
      this.set(options.pool().utilization);
    },
  });
  new Gauge({
    name: 'bullmq_queue_jobs',
    help: 'Jobs per queue and state (absent while Redis is down)',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const queue of options.queues) {
        try {
          const counts = await queue.getJobCounts(...JOB_STATES);
          for (const state of JOB_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
        } catch {
          // Redis down: report no value rather than failing the scrape.
        }
      }
    },
  });

  app.decorate('metrics', { registry, adaptSeconds, predictSeconds, sessionsCreated });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requestSeconds.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  app.route({
    ...routeOptions(metricsRoute),
    handler: async (_request, reply) => {
      const body = await registry.metrics();
      return reply.type(registry.contentType).send(body);
    },
  });
}

export default fp(metricsPlugin, { name: 'metrics' });
