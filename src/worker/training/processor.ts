/**
 * The sandboxed BullMQ processor of meta-training jobs (a worker thread of the worker process, with
 * its own TensorFlow.js backend and connections). Outcomes: completed (model registered),
 * cancelled (checkpoint kept), handed back at shutdown (checkpoint, back to the waiting list, any
 * worker resumes it), or failed with a message the API shows; a failure is not retried.
 */
import { UnrecoverableError, WaitingError, type SandboxedJob } from 'bullmq';
import { createLogger } from '../../shared/logger.ts';
import type { TrainingConfig } from '../../shared/jobs/training-config.ts';
import { trainingContext } from './context.ts';
import { publishProgress } from '../../shared/jobs/events.ts';
import { SHUTDOWN_REASON, type TrainingJobData, type TrainingJobResult } from './processor-protocol.ts';
import { runTraining } from './run.ts';
import { taskSourceFor } from './sources.ts';
import { isCancelRequested } from '../../shared/jobs/jobs.ts';
import { openTrainingResources, type TrainingResources } from '../wiring.ts';

let resources: Promise<TrainingResources> | null = null;

export default async function processTrainingJob(job: SandboxedJob<TrainingJobData>, token?: string, signal?: AbortSignal): Promise<TrainingJobResult> {
  const { config, db, store, redis, backend } = await (resources ??= openTrainingResources());
  const log = createLogger(config, 'training');
  const { jobId } = job.data;
  const row = await db.trainingJob.findUnique({ where: { id: jobId } });
  if (!row) throw new UnrecoverableError(`training job ${jobId} has no row in the database`);
  const status = async (
    update: Parameters<typeof db.trainingJob.update>[0]['data'] & { status: 'running' | 'completed' | 'failed' | 'cancelled' | 'queued' },
    extra: { error?: string; modelId?: string } = {},
  ) => {
    await db.trainingJob.update({ where: { id: jobId }, data: update });
    await publishProgress(redis, config.queuePrefix, jobId, { type: 'status', status: update.status, ...extra }).catch(() => 0);
  };
  if (row.status === 'completed' || row.status === 'failed' || row.status === 'cancelled') {
    return { status: row.status === 'completed' ? 'completed' : 'cancelled', iteration: row.checkpointIteration ?? 0 };
  }
  if (await isCancelRequested(redis, config.queuePrefix, jobId)) {
    await status({ status: 'cancelled', finishedAt: new Date() });
    return { status: 'cancelled', iteration: row.checkpointIteration ?? 0 };
  }
  await status({ status: 'running', startedAt: row.startedAt ?? new Date(), backend, error: null });
  const trainingConfig = row.config as unknown as TrainingConfig;
  const ctx = trainingContext({
    jobId,
    name: trainingConfig.name,
    db,
    store,
    redis,
    prefix: config.queuePrefix,
    backend,
    signal: signal ?? new AbortController().signal,
    shutdownReason: SHUTDOWN_REASON,
    log: (message) => log.info({ jobId }, message),
  });

  let outcome;
  try {
    const loadStarted = Date.now();
    ctx.log(`loading dataset ${trainingConfig.dataset} (a worker's first Omniglot job downloads and preprocesses it: about a minute)`);
    const source = await taskSourceFor(trainingConfig, config, { db, store });
    ctx.log(`dataset ${trainingConfig.dataset} ready in ${((Date.now() - loadStarted) / 1000).toFixed(1)} s`);
    outcome = await runTraining(ctx, trainingConfig, source, { threads: config.trainingThreads, backend: config.tfjsBackend });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log.error({ jobId, err: error }, 'training job failed');
    await status({ status: 'failed', finishedAt: new Date(), error: message }, { error: message });
    throw new UnrecoverableError(message);
  }
  if (outcome.status === 'completed') {
    await status({ status: 'completed', finishedAt: new Date(), modelId: outcome.modelId }, { modelId: outcome.modelId });
    return { status: 'completed', iteration: trainingConfig.iterations, modelId: outcome.modelId };
  }
  if (outcome.status === 'cancelled') {
    await status({ status: 'cancelled', finishedAt: new Date() });
    return { status: 'cancelled', iteration: outcome.iteration };
  }
  log.info({ jobId, iteration: outcome.iteration }, `training job handed back at iteration ${outcome.iteration}: checkpoint written, back in the queue`);
  await status({ status: 'queued' });
  await job.moveToWait(token);
  throw new WaitingError();
}
