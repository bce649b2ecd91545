export {
  MamlClient,
  type MamlClientOptions,
  type AdaptResult,
  type PredictResult,
  type Model,
  type TrainingJob,
  type TrainingEvent,
  type TrainingConfigInput,
  type JobStreamMessage,
  type ApiKey,
  type CreatedKey,
  type JobStatus,
} from './client.ts';
export { ApiError, UnreachableError, retryAfterSeconds, type ErrorBody } from './errors.ts';
export {
  adaptParts,
  predictParts,
  toFormData,
  type AdaptInput,
  type AdaptMultipart,
  type ImageFile,
  type PredictMultipart,
  type SupportImage,
} from './multipart.ts';
export { withRetries, backoffMs, type RetryOptions, type RetryInfo } from './retry.ts';
export { readSse, parseSseBlock, type SseMessage } from './sse.ts';
export { openImage, isImagePath } from './files.ts';
export type { paths, components } from './openapi-types.ts';
