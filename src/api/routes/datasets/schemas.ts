import { uuidParams } from '../shared-schemas.ts';
export const datasetSchema = {
  type: 'object',
  required: ['id', 'name', 'status', 'error', 'layout', 'classes', 'images', 'imagesPerClass', 'preprocessing', 'artifact', 'createdAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    status: { type: 'string', enum: ['processing', 'ready', 'failed'] },
    error: { type: ['object', 'null'], required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object', additionalProperties: true } } },
    layout: { type: ['string', 'null'], enum: ['folders', 'omniglot', null] },
    classes: { type: ['integer', 'null'] },
    images: { type: ['integer', 'null'] },
    imagesPerClass: { type: ['object', 'null'], properties: { min: { type: 'integer' }, max: { type: 'integer' } } },
    preprocessing: {
      type: 'object',
      properties: {
        size: { type: 'integer' },
        channels: { type: 'integer' },
        invert: { type: 'boolean' },
        resize: { type: 'string' },
        normalisation: { type: 'object', properties: { mean: { type: 'number' }, std: { type: 'number' } } },
      },
    },
    artifact: { type: ['object', 'null'], properties: { sha256: { type: 'string' }, bytes: { type: 'integer' } } },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;


export const createDatasetSchema = { response: { 202: datasetSchema } } as const;

export const listDatasetsSchema = {
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: { limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
  },
  response: { 200: { type: 'object', required: ['datasets'], properties: { datasets: { type: 'array', items: datasetSchema } } } },
} as const;

export const getDatasetSchema = { params: uuidParams, response: { 200: datasetSchema } } as const;
export const deleteDatasetSchema = { params: uuidParams } as const;
