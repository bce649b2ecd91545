/** `GET /training-jobs/:id/curve.svg` (admin): the job's learning curves from its TrainingMetric rows. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { routeOptions } from '../../contract/route.ts';
import { jobCurveRoute } from './schemas.ts';
import type { Db } from '../../../shared/db/client.ts';
import { NotFoundError } from '../../../shared/errors.ts';
import { renderLearningCurveSvg } from '../../../shared/jobs/curve-svg.ts';
import { findJob } from '../../../shared/jobs/jobs.ts';

export default async function trainingJobCurveRoutes(app: FastifyInstance, options: { db: Db }): Promise<void> {
  const { db } = options;
  app.withTypeProvider<TypeBoxTypeProvider>().route({
    ...routeOptions(jobCurveRoute),
    handler: async (request, reply) => {
      const id = request.params.id;
      const job = await findJob(db, id);
      if (!job) throw new NotFoundError('training job', id);
      const metrics = await db.trainingMetric.findMany({
        where: { jobId: id },
        orderBy: { iteration: 'asc' },
        select: { iteration: true, metaLoss: true, accuracy: true, validationAccuracy: true, validationCi95: true },
      });
      const config = job.config as { algorithm?: string; dataset?: string; iterations?: number };
      const last = metrics.at(-1)?.iteration ?? 0;
      const subtitle = `job ${id} · ${config.algorithm ?? '?'} on ${config.dataset ?? '?'} · ${job.status} · iteration ${last} of ${config.iterations ?? '?'}`;
      const svg = renderLearningCurveSvg(metrics, { title: job.name ?? `training job ${id}`, subtitle });
      return reply
        .type('image/svg+xml; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
        .header('x-content-type-options', 'nosniff')
        .send(svg);
    },
  });
}
