/**
 * The contracts of the training job routes (admin): submit, list, inspect, cancel, the event
 * stream and the learning-curve image; TrainingEvent documents the stream's messages (checked
 * against src/shared/jobs/events.ts's types below).
 */
import type { TrainingEvent as SharedTrainingEvent } from '../../../shared/jobs/events.ts';
import { BadRequest, errorResponse, Forbidden, NotFound, Unauthorized, Unavailable } from '../../contract/errors.ts';
import { defineRoute, json, raw } from '../../contract/route.ts';
import { component, DateTime, FreeObject, Nullable, type Static, StringEnum, Type, Uuid, UuidParams, PageLimit } from '../../contract/schema.ts';
import { TrainingConfigInput } from './config-schema.ts';

export const JOB_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export const JobStatus = component('JobStatus', StringEnum(JOB_STATUSES));

const stageFields = {
  index: Type.Integer(),
  count: Type.Integer(),
  kind: StringEnum(['pretrain', 'meta']),
  examplesPerSecond: Type.Optional(Type.Number({ description: 'pretrain: training images per second' })),
};

export const TrainingJob = component(
  'TrainingJob',
  Type.Object({
    jobId: Uuid(),
    name: Nullable(Type.String()),
    status: JobStatus,
    cancelRequested: Type.Optional(Type.Boolean()),
    config: FreeObject({ description: 'The resolved configuration' }),
    progress: Type.Object({
      iteration: Type.Optional(Type.Integer()),
      iterations: Type.Optional(Type.Integer()),
      metaLoss: Type.Optional(Nullable(Type.Number())),
      accuracy: Type.Optional(Nullable(Type.Number())),
      validation: Type.Optional(
        Type.Unsafe<{ accuracy?: number; ci95?: number; iteration?: number } | null>({
          type: ['object', 'null'],
          properties: { accuracy: { type: 'number' }, ci95: { type: 'number' }, iteration: { type: 'integer' } },
        }),
      ),
      tasksPerSecond: Type.Optional(Nullable(Type.Number(), { description: 'meta stages: tasks per second; a pretrain stage: batches per second' })),
      etaSeconds: Type.Optional(Nullable(Type.Number())),
      // The row's progress is what the worker last wrote: every field optional (a missing one must not fail the answer).
      stage: Type.Optional(
        Type.Partial(Type.Object(stageFields), {
          description: 'Staged jobs: the running stage (index from 0, of count) and its kind; iteration and iterations count over all stages',
        }),
      ),
    }),
    error: Nullable(Type.String()),
    modelId: Nullable(Type.String()),
    createdAt: DateTime(),
    startedAt: Nullable(DateTime()),
    finishedAt: Nullable(DateTime()),
  }),
);

/** One message of the event stream (its SSE event name is its type). */
export const TrainingEvent = component(
  'TrainingEvent',
  Type.Union(
    [
      Type.Object({
        type: Type.Literal('progress'),
        iteration: Type.Integer(),
        iterations: Type.Integer(),
        metaLoss: Nullable(Type.Number(), { description: 'null when not finite' }),
        accuracy: Nullable(Type.Number(), { description: 'query accuracy after adaptation; null for regression' }),
        tasksPerSecond: Type.Number(),
        etaSeconds: Nullable(Type.Number()),
        stage: Type.Optional(Type.Object(stageFields, { description: 'Staged jobs only (see TrainingJob.progress.stage)' })),
      }),
      Type.Object({
        type: Type.Literal('validation'),
        iteration: Type.Integer(),
        accuracy: Nullable(Type.Number(), { description: 'mean query accuracy over the validation tasks; null for regression' }),
        ci95: Nullable(Type.Number(), { description: 'half-width of the 95 % confidence interval of accuracy; null for regression' }),
        loss: Type.Number({ description: 'mean query loss (cross-entropy, or MSE for regression)' }),
      }),
      Type.Object({
        type: Type.Literal('status'),
        status: JobStatus,
        error: Type.Optional(Nullable(Type.String())),
        modelId: Type.Optional(Nullable(Type.String())),
      }),
      Type.Object(
        { type: Type.Literal('note'), message: Type.String() },
        { description: 'A line from the worker: loading the dataset, a stage done, the serving settings chosen, the final test' },
      ),
    ],
    { description: 'One message of GET /training-jobs/{id}/events (the SSE event name is its type)' },
  ),
);
/** Compile-time check: the worker's events (src/shared/jobs/events.ts) are what the contract documents. */
export const asDocumentedEvent = (event: SharedTrainingEvent): Static<typeof TrainingEvent> => event;

export const submitJobRoute = defineRoute({
  method: 'POST',
  url: '/training-jobs',
  auth: 'admin',
  tags: ['training'],
  summary: 'Submit a meta-training job (admin)',
  description: "Fields left out take the MAML paper's defaults for the dataset; the response shows the resolved configuration.",
  body: TrainingConfigInput,
  responses: {
    202: json('Queued', Type.Object({ jobId: Uuid(), status: Type.Literal('queued'), config: FreeObject({ description: 'The resolved configuration' }) })),
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    409: errorResponse('The uploaded dataset it names is still being ingested or failed (DATASET_NOT_READY)'),
    503: Unavailable,
  },
});

export const listJobsRoute = defineRoute({
  method: 'GET',
  url: '/training-jobs',
  auth: 'admin',
  tags: ['training'],
  summary: 'Training jobs, newest first (admin)',
  querystring: Type.Object({ status: Type.Optional(JobStatus), limit: PageLimit }, { additionalProperties: false }),
  responses: { 200: json('Jobs', Type.Object({ jobs: Type.Array(TrainingJob) })), 400: BadRequest, 401: Unauthorized, 403: Forbidden, 503: Unavailable },
});

export const getJobRoute = defineRoute({
  method: 'GET',
  url: '/training-jobs/:id',
  auth: 'admin',
  tags: ['training'],
  summary: 'One training job with its progress (admin)',
  params: UuidParams,
  responses: { 200: json('The job', TrainingJob), 400: BadRequest, 401: Unauthorized, 403: Forbidden, 404: NotFound, 503: Unavailable },
});

export const cancelJobRoute = defineRoute({
  method: 'DELETE',
  url: '/training-jobs/:id',
  auth: 'admin',
  tags: ['training'],
  summary: 'Cancel a queued or running job (admin)',
  description: 'A queued job is cancelled at once (200). A running job stops within one iteration and keeps its last checkpoint (202, cancelRequested true).',
  params: UuidParams,
  responses: {
    200: json('Cancelled', TrainingJob),
    202: json('Cancellation requested from the running worker', TrainingJob),
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: errorResponse('The job has already finished (code JOB_FINISHED)'),
    503: Unavailable,
  },
});

export const jobEventsRoute = defineRoute({
  method: 'GET',
  url: '/training-jobs/:id/events',
  auth: 'admin',
  tags: ['training'],
  summary: 'Live progress of a job as Server-Sent Events (admin)',
  description: [
    'The stream opens with the job as stored (`event: job`, a TrainingJob), then carries every',
    'event the worker publishes (`event: progress`, `event: validation`, `event: status`,',
    '`event: note`, each a TrainingEvent as `data`), a comment line (`: heartbeat`) every SSE_HEARTBEAT_MS (15 s),',
    'and ends after a terminal status (completed, failed, cancelled), at once if the job has',
    'already finished. Events are not replayed: a client that reconnects starts from the job again.',
    '',
  ].join('\n'),
  params: UuidParams,
  responses: {
    200: raw('The event stream, e.g. `event: progress` / `data: {"type":"progress","iteration":120,...}`', 'text/event-stream'),
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    503: Unavailable,
  },
});

export const jobCurveRoute = defineRoute({
  method: 'GET',
  url: '/training-jobs/:id/curve.svg',
  auth: 'admin',
  tags: ['training'],
  summary: "The job's learning curves as an SVG image (admin)",
  description:
    'Training loss and query accuracy per iteration, validation accuracy with its 95 % CI band; at most 1000 points per series (longer runs are averaged in buckets). A job with no metrics yet gets a "no data yet" chart.',
  params: UuidParams,
  responses: {
    200: raw('A self-contained SVG (no scripts, fonts or links)', 'image/svg+xml'),
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    503: Unavailable,
  },
});
