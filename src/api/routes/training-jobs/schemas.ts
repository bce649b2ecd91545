import { uuidParams } from '../shared-schemas.ts';
import { trainingConfigSchema } from '../../../shared/jobs/training-config.ts';

export const JOB_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;

const nullableNumber = { type: ['number', 'null'] } as const;

export const jobSchema = {
  type: 'object',
  required: ['jobId', 'name', 'status', 'config', 'progress', 'error', 'modelId', 'createdAt', 'startedAt', 'finishedAt'],
  properties: {
    jobId: { type: 'string', format: 'uuid' },
    name: { type: ['string', 'null'] },
    status: { type: 'string', enum: JOB_STATUSES },
    cancelRequested: { type: 'boolean' },
    config: { type: 'object', additionalProperties: true },
    progress: {
      type: 'object',
      properties: {
        iteration: { type: 'integer' },
        iterations: { type: 'integer' },
        metaLoss: nullableNumber,
        accuracy: nullableNumber,
        validation: {
          type: ['object', 'null'],
          properties: { accuracy: { type: 'number' }, ci95: { type: 'number' }, iteration: { type: 'integer' } },
        },
        tasksPerSecond: nullableNumber,
        etaSeconds: nullableNumber,
        stage: {
          type: 'object',
          properties: { index: { type: 'integer' }, count: { type: 'integer' }, kind: { type: 'string', enum: ['pretrain', 'meta'] }, examplesPerSecond: { type: 'number' } },
        },
      },
    },
    error: { type: ['string', 'null'] },
    modelId: { type: ['string', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
    startedAt: { type: ['string', 'null'], format: 'date-time' },
    finishedAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;


export const createJobSchema = {
  body: trainingConfigSchema,
  response: {
    202: {
      type: 'object',
      required: ['jobId', 'status', 'config'],
      properties: { jobId: { type: 'string' }, status: { const: 'queued' }, config: { type: 'object', additionalProperties: true } },
    },
  },
} as const;

export const listJobsSchema = {
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      status: { type: 'string', enum: JOB_STATUSES },
      limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
    },
  },
  response: { 200: { type: 'object', required: ['jobs'], properties: { jobs: { type: 'array', items: jobSchema } } } },
} as const;

export const getJobSchema = { params: uuidParams, response: { 200: jobSchema } } as const;
export const cancelJobSchema = { params: uuidParams, response: { 200: jobSchema, 202: jobSchema } } as const;
