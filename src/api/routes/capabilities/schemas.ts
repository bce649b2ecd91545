import { BACKENDS, META_ALGORITHMS, NETWORK_KINDS } from '../../../core/kinds.ts';

export const capabilitiesSchema = {
  response: {
    200: {
      type: 'object',
      required: ['networks', 'algorithms', 'backends'],
      properties: {
        networks: {
          type: 'array',
          items: {
            type: 'object',
            required: ['kind', 'output', 'input', 'ways', 'resettableHead', 'stagedPipeline'],
            properties: {
              kind: { type: 'string', enum: NETWORK_KINDS },
              output: { type: 'string', enum: ['softmax', 'regression'] },
              input: { type: 'string', enum: ['image', 'rows'] },
              ways: { type: 'string', enum: ['up-to-outputs', 'as-trained'] },
              resettableHead: { type: 'boolean' },
              stagedPipeline: { type: 'boolean' },
            },
          },
        },
        algorithms: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name', 'learnedRates', 'secondOrder', 'stage', 'summary'],
            properties: {
              name: { type: 'string', enum: META_ALGORITHMS },
              learnedRates: { type: 'string', enum: ['none', 'perStep', 'perParameter'] },
              secondOrder: { type: 'boolean' },
              stage: { type: 'boolean' },
              summary: { type: 'string' },
            },
          },
        },
        backends: { type: 'array', items: { type: 'string', enum: BACKENDS } },
      },
    },
  },
} as const;
