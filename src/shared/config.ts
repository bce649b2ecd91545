/**
 * The one configuration of both processes: environment variables with defaults, validated once at
 * start-up and passed down. A bad value stops start-up with a message naming the variable.
 */
import os from 'node:os';
import path from 'node:path';
import { readArtifactConfig, type ArtifactConfig } from './storage/artifact-config.ts';
import { ConfigError, directory, flag, integer, oneOf, pattern, read, url, type Env } from './config-values.ts';
import { OMNIGLOT_BASE_URL } from '../data/omniglot/download.ts';
import { BACKENDS } from '../core/kinds.ts';

export { ConfigError } from './config-values.ts';

/** TFJS_BACKEND's values (src/core/kinds.ts lists them once). */
export const TFJS_BACKENDS = BACKENDS;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** This machine's weights folder: the store itself (ARTIFACT_STORE=fs) or the cache of the shared one. */
  readonly weightsDir: string;
  /** Where weights, checkpoints and datasets live (shared by every machine unless `fs`). */
  readonly artifacts: ArtifactConfig;
  readonly cacheDir: string;
  readonly omniglotDir: string;
  readonly omniglotDownload: boolean;
  /** Where OMNIGLOT_DOWNLOAD fetches `<url>/images_background.zip` and `images_evaluation.zip` (a mirror, or a local server). */
  readonly omniglotUrl: string;
  readonly tfjsBackend: (typeof TFJS_BACKENDS)[number];
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /** Development mode without API keys: off unless switched on explicitly (logged as a warning). */
  readonly authDisabled: boolean;
  readonly shutdownTimeoutMs: number;
  readonly bodyLimitBytes: number;
  readonly workerConcurrency: number;
  readonly redisConnectTimeoutMs: number;
  /** How long the API waits for a PostgreSQL connection (DATABASE_CONNECT_TIMEOUT_MS; defaults to REDIS_CONNECT_TIMEOUT_MS's value). */
  readonly databaseConnectTimeoutMs: number;
  /** BullMQ key prefix: deployments (or test runs) sharing one Redis keep their queues apart. */
  readonly queuePrefix: string;
  readonly sessionTtlSeconds: number;
  /** Requests per API key per minute, over all replicas (0: unlimited). */
  readonly rateLimitPerMinute: number;
  /** Bytes of sessions' θ′ each API process keeps in memory in front of Redis (0: none). */
  readonly sessionCacheBytes: number;
  readonly sessionMaxTtlSeconds: number;
  readonly maxFileBytes: number;
  readonly maxFiles: number;
  readonly maxImagePixels: number;
  readonly maxAdaptSteps: number;
  readonly inferenceThreads: number;
  /** Threads that compute a training job's meta-gradients (1: in the job's own thread). */
  readonly trainingThreads: number;
  readonly inferenceQueue: number;
  readonly thetaPrecision: 'float16' | 'float32';
  readonly maxModelBytes: number;
  /** Models shipped with the service (manifest.json), registered on start-up. */
  readonly modelsDir: string;
  /** BullMQ job lock; a worker that dies loses its job to another after about this long. */
  readonly workerLockMs: number;
  readonly workerStalledIntervalMs: number;
  /** Limits on dataset uploads (POST /datasets), checked while the archive streams in. */
  readonly datasets: DatasetLimits;
  /** Interval of the comment lines that keep a training job's event stream open through proxies. */
  readonly sseHeartbeatMs: number;
}

export interface DatasetLimits {
  readonly maxArchiveBytes: number;
  readonly maxEntries: number;
  readonly maxUncompressedBytes: number;
  /** Per entry: uncompressed ÷ compressed size above this is refused (zip bombs). */
  readonly maxCompressionRatio: number;
  /** The preprocessed float32 arrays of the whole dataset (what training holds in memory). */
  readonly maxPreprocessedBytes: number;
}

export function loadConfig(env: Env = process.env): Config {
  const config = readConfig(env);
  if (config.sessionTtlSeconds > config.sessionMaxTtlSeconds) {
    throw new ConfigError('SESSION_TTL_SECONDS', String(config.sessionTtlSeconds), `at most SESSION_MAX_TTL_SECONDS (${config.sessionMaxTtlSeconds})`);
  }
  return config;
}

function readConfig(env: Env): Config {
  const weightsDir = directory(env, 'WEIGHTS_DIR', '.data/weights');
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: read(env, 'HOST') ?? '0.0.0.0',
    databaseUrl: url(env, 'DATABASE_URL', 'postgresql://postgres@127.0.0.1:5432/maml', ['postgresql:', 'postgres:']),
    redisUrl: url(env, 'REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    weightsDir,
    artifacts: readArtifactConfig(env),
    cacheDir: directory(env, 'CACHE_DIR', path.join(weightsDir, '..', 'cache')),
    omniglotDir: directory(env, 'OMNIGLOT_DIR', '.data/omniglot'),
    omniglotDownload: flag(env, 'OMNIGLOT_DOWNLOAD'),
    omniglotUrl: url(env, 'OMNIGLOT_URL', OMNIGLOT_BASE_URL, ['http:', 'https:']),
    tfjsBackend: oneOf(env, 'TFJS_BACKEND', TFJS_BACKENDS, 'auto'),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    authDisabled: flag(env, 'AUTH_DISABLED'),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 100, 600_000),
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 20 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    workerConcurrency: integer(env, 'WORKER_CONCURRENCY', 1, 1, 64),
    redisConnectTimeoutMs: integer(env, 'REDIS_CONNECT_TIMEOUT_MS', 2_000, 100, 60_000),
    databaseConnectTimeoutMs: integer(env, 'DATABASE_CONNECT_TIMEOUT_MS', integer(env, 'REDIS_CONNECT_TIMEOUT_MS', 2_000, 100, 60_000), 100, 60_000),
    sessionTtlSeconds: integer(env, 'SESSION_TTL_SECONDS', 3600, 10, 30 * 86400),
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 600, 0, 10_000_000),
    sessionCacheBytes: integer(env, 'SESSION_CACHE_MB', 64, 0, 65_536) * 1024 * 1024,
    sessionMaxTtlSeconds: integer(env, 'SESSION_MAX_TTL_SECONDS', 86400, 10, 365 * 86400),
    maxFileBytes: integer(env, 'MAX_FILE_BYTES', 5 * 1024 * 1024, 1024, 512 * 1024 * 1024),
    maxFiles: integer(env, 'MAX_FILES', 200, 1, 10_000),
    maxImagePixels: integer(env, 'MAX_IMAGE_PIXELS', 16_777_216, 64, 50_000_000),
    maxAdaptSteps: integer(env, 'MAX_ADAPT_STEPS', 50, 1, 1000),
    inferenceThreads: integer(env, 'INFERENCE_THREADS', Math.max(1, Math.min(4, os.availableParallelism())), 1, 256),
    trainingThreads: integer(env, 'TRAINING_THREADS', Math.max(1, Math.min(8, os.availableParallelism())), 1, 256),
    inferenceQueue: integer(env, 'INFERENCE_QUEUE', 32, 0, 100_000),
    workerLockMs: integer(env, 'WORKER_LOCK_MS', 60_000, 1_000, 3_600_000),
    workerStalledIntervalMs: integer(env, 'WORKER_STALLED_INTERVAL_MS', 30_000, 500, 3_600_000),
    modelsDir: directory(env, 'MODELS_DIR', 'models'),
    maxModelBytes: integer(env, 'MAX_MODEL_BYTES', 200 * 1024 * 1024, 1024, 4 * 1024 * 1024 * 1024),
    thetaPrecision: oneOf(env, 'THETA_PRECISION', ['float16', 'float32'], 'float16'),
    queuePrefix: pattern(env, 'QUEUE_PREFIX', 'maml', /^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, _ or -, at most 40'),
    datasets: {
      maxArchiveBytes: integer(env, 'DATASET_MAX_ARCHIVE_BYTES', 200 * 1024 * 1024, 1024, 2 ** 40),
      maxEntries: integer(env, 'DATASET_MAX_ENTRIES', 100_000, 10, 10_000_000),
      maxUncompressedBytes: integer(env, 'DATASET_MAX_UNCOMPRESSED_BYTES', 1024 * 1024 * 1024, 1024, 2 ** 40),
      maxCompressionRatio: integer(env, 'DATASET_MAX_COMPRESSION_RATIO', 100, 2, 100_000),
      maxPreprocessedBytes: integer(env, 'DATASET_MAX_PREPROCESSED_BYTES', 1024 * 1024 * 1024, 1024, 2 ** 32),
    },
    sseHeartbeatMs: integer(env, 'SSE_HEARTBEAT_MS', 15_000, 10, 600_000),
  };
}

/** For entry points: the validated configuration, or exit code 2 with a message naming the variable. */
export function loadConfigOrExit(env: Env = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`configuration error: ${error.message}`);
    process.exit(2);
  }
}
