/**
 * Every route's contract, in the order openapi.yaml lists them. A route registered without its
 * contract here, or a contract no route registers, fails test/app/openapi.test.ts.
 */
import type { Config } from '../../shared/config.ts';
import type { RouteContract } from '../contract/route.ts';
import { capabilitiesRoute } from './capabilities/schemas.ts';
import { createDatasetRoute, deleteDatasetRoute, getDatasetRoute, listDatasetsRoute } from './datasets/schemas.ts';
import { healthRoute, metricsRoute, readyRoute } from './health/schemas.ts';
import { createKeyRoute, listKeysRoute, revokeKeyRoute } from './keys/schemas.ts';
import { getModelRoute, importModelRoute, listModelsRoute, modelWeightsRoute, promoteModelRoute } from './models/schemas.ts';
import { adaptRoute, deleteSessionRoute, getSessionRoute, predictRoute, type SessionLimits } from './sessions/schemas.ts';
import { cancelJobRoute, getJobRoute, jobCurveRoute, jobEventsRoute, listJobsRoute, submitJobRoute, TrainingEvent } from './training-jobs/schemas.ts';

export type ContractLimits = SessionLimits;

/** The contracts of the API under these limits (the server's configuration, or the defaults for openapi.yaml). */
export function apiContracts(limits: ContractLimits): RouteContract[] {
  return [
    healthRoute,
    readyRoute,
    metricsRoute,
    adaptRoute(limits),
    predictRoute,
    getSessionRoute,
    deleteSessionRoute,
    capabilitiesRoute,
    listModelsRoute,
    importModelRoute,
    getModelRoute,
    promoteModelRoute,
    modelWeightsRoute,
    submitJobRoute,
    listJobsRoute,
    getJobRoute,
    cancelJobRoute,
    jobEventsRoute,
    jobCurveRoute,
    createDatasetRoute,
    listDatasetsRoute,
    getDatasetRoute,
    deleteDatasetRoute,
    createKeyRoute,
    listKeysRoute,
    revokeKeyRoute,
  ] as RouteContract[];
}

/** Named schemas no route answers with but clients read (the event stream's messages). */
export const EXTRA_SCHEMAS = [TrainingEvent];

export const contractLimits = (config: Pick<Config, 'maxAdaptSteps' | 'sessionMaxTtlSeconds'>): ContractLimits => ({
  maxAdaptSteps: config.maxAdaptSteps,
  sessionMaxTtlSeconds: config.sessionMaxTtlSeconds,
});
