/**
 * The typed client: openapi-fetch over the types generated from openapi.yaml, with helpers for
 * the multipart calls, typed errors (ApiError with the server's code) and retries on 429/503 (and, for reads, on a proxy's 502/504).
 *
 *   const maml = new MamlClient({ url: 'http://localhost:3000', key: process.env.MAML_API_KEY });
 *   const session = await maml.adapt({ support: [{ label: 'ka', file: await openImage('ka.png') }, …] });
 *   const { predictions } = await maml.predict(session.sessionId, [await openImage('query.png')]);
 */
import createClient, { type Client } from 'openapi-fetch';
import { ApiError } from './errors.ts';
import { adaptParts, predictParts, toFormData, type AdaptInput, type ImageFile } from './multipart.ts';
import type { components, paths } from './openapi-types.ts';
import { withRetries, type RetryOptions } from './retry.ts';
import { readSse } from './sse.ts';

type Schemas = components['schemas'];
export type Model = Schemas['Model'];
export type TrainingJob = Schemas['TrainingJob'];
export type TrainingEvent = Schemas['TrainingEvent'];
export type TrainingConfigInput = Schemas['TrainingConfigInput'];
export type ApiKey = Schemas['ApiKey'];
export type JobStatus = Schemas['JobStatus'];
export type Capabilities = Schemas['Capabilities'];
export type AdaptResult = paths['/adapt']['post']['responses'][201]['content']['application/json'];
export type PredictResult = paths['/predict']['post']['responses'][200]['content']['application/json'];
export type CreatedKey = paths['/keys']['post']['responses'][201]['content']['application/json'];
/** A message of GET /training-jobs/{id}/events: the job as stored first, then the worker's events. */
export type JobStreamMessage = { type: 'job'; job: TrainingJob } | TrainingEvent;

export interface MamlClientOptions {
  /** The service's base URL, e.g. http://localhost:3000 */
  readonly url: string;
  /** An API key (`mk_…`); sent as `Authorization: Bearer <key>`. */
  readonly key?: string;
  readonly retry?: RetryOptions;
  readonly fetch?: (request: Request) => Promise<Response>;
}

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a successful answer; ApiError for any other. */
async function ok<T>(call: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw ApiError.from(response, error);
  return data as T;
}

export class MamlClient {
  /** The openapi-fetch client, typed by openapi.yaml, for anything the helpers do not cover. */
  readonly api: Client<paths>;
  readonly url: string;

  constructor(options: MamlClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.api = createClient<paths>({
      baseUrl: this.url,
      headers: options.key ? { authorization: `Bearer ${options.key}` } : {},
      fetch: withRetries(options.fetch ?? ((request) => fetch(request)), options.retry),
    });
  }

  health() {
    return ok(this.api.GET('/healthz'));
  }

  /** Adapts a model to a support set (multipart: the `labels` JSON field and one `images` part per file). */
  adapt(input: AdaptInput): Promise<AdaptResult> {
    return ok(this.api.POST('/adapt', { body: adaptParts(input), bodySerializer: (parts) => toFormData(parts as Parameters<typeof toFormData>[0]) }));
  }

  /** Classifies images against a session; one prediction per image, in order. */
  predict(sessionId: string, files: readonly ImageFile[]): Promise<PredictResult> {
    return ok(
      this.api.POST('/predict', { body: predictParts(sessionId, files), bodySerializer: (parts) => toFormData(parts as Parameters<typeof toFormData>[0]) }),
    );
  }

  getSession(id: string) {
    return ok(this.api.GET('/sessions/{id}', { params: { path: { id } } }));
  }

  async deleteSession(id: string): Promise<void> {
    await ok(this.api.DELETE('/sessions/{id}', { params: { path: { id } } }));
  }

  /** Every kind of network, algorithm and backend the service knows (public). */
  capabilities(): Promise<Capabilities> {
    return ok(this.api.GET('/capabilities'));
  }

  async listModels(query: { limit?: number; status?: Model['status'] } = {}): Promise<Model[]> {
    return (await ok(this.api.GET('/models', { params: { query } }))).models;
  }

  getModel(idOrName: string): Promise<Model> {
    return ok(this.api.GET('/models/{id}', { params: { path: { id: idOrName } } }));
  }

  promoteModel(idOrName: string): Promise<Model> {
    return ok(this.api.POST('/models/{id}/promote', { params: { path: { id: idOrName } } }));
  }

  submitJob(config: TrainingConfigInput) {
    return ok(this.api.POST('/training-jobs', { body: config }));
  }

  async listJobs(query: { limit?: number; status?: JobStatus } = {}): Promise<TrainingJob[]> {
    return (await ok(this.api.GET('/training-jobs', { params: { query } }))).jobs;
  }

  getJob(id: string): Promise<TrainingJob> {
    return ok(this.api.GET('/training-jobs/{id}', { params: { path: { id } } }));
  }

  /** Cancels a job: a queued one at once, a running one within an iteration (`cancelRequested`). */
  cancelJob(id: string): Promise<TrainingJob> {
    return ok(this.api.DELETE('/training-jobs/{id}', { params: { path: { id } } }));
  }

  /** Follows a job live until the server ends the stream (after a terminal status) or `signal` aborts. */
  async *jobEvents(id: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<JobStreamMessage> {
    const stream = await ok(this.api.GET('/training-jobs/{id}/events', { params: { path: { id } }, parseAs: 'stream', signal: options.signal }));
    if (!stream) return;
    for await (const message of readSse(stream)) {
      const data = JSON.parse(message.data) as unknown;
      if (message.event === 'job') yield { type: 'job', job: data as TrainingJob };
      else if (message.event === 'progress' || message.event === 'validation' || message.event === 'status' || message.event === 'note')
        yield data as TrainingEvent;
    }
  }

  createKey(input: { role: ApiKey['role']; name?: string }): Promise<CreatedKey> {
    return ok(this.api.POST('/keys', { body: input }));
  }

  async listKeys(query: { limit?: number; includeRevoked?: boolean } = {}): Promise<ApiKey[]> {
    return (await ok(this.api.GET('/keys', { params: { query } }))).keys;
  }

  revokeKey(id: string): Promise<ApiKey> {
    return ok(this.api.DELETE('/keys/{id}', { params: { path: { id } } }));
  }
}
