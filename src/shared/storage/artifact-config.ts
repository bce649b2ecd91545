/** Which artifact store a process uses (ARTIFACT_STORE and the S3_* variables), read with the rest of the configuration. */
import { ConfigError, flag, oneOf, pattern, read, url, type Env } from '../config-values.ts';
import type { S3Settings } from './s3-artifact-store.ts';

export const ARTIFACT_STORES = ['postgres', 's3', 'fs'] as const;

export type ArtifactConfig = { readonly kind: 'postgres' } | { readonly kind: 'fs' } | { readonly kind: 's3'; readonly s3: S3Settings };

export function readArtifactConfig(env: Env): ArtifactConfig {
  const kind = oneOf(env, 'ARTIFACT_STORE', ARTIFACT_STORES, 'postgres');
  if (kind !== 's3') return { kind };
  const bucket = read(env, 'S3_BUCKET');
  if (!bucket) throw new ConfigError('S3_BUCKET', '', 'a bucket name (ARTIFACT_STORE=s3 needs one)');
  pattern(env, 'S3_BUCKET', bucket, /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name: 3-63 lower-case letters, digits, dots or hyphens');
  const endpoint = read(env, 'S3_ENDPOINT') === undefined ? undefined : url(env, 'S3_ENDPOINT', '', ['http:', 'https:']);
  const accessKeyId = read(env, 'S3_ACCESS_KEY_ID');
  const secretAccessKey = read(env, 'S3_SECRET_ACCESS_KEY');
  if (Boolean(accessKeyId) !== Boolean(secretAccessKey)) {
    throw new ConfigError(
      accessKeyId ? 'S3_SECRET_ACCESS_KEY' : 'S3_ACCESS_KEY_ID',
      '',
      'both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither (the SDK credential chain)',
    );
  }
  return {
    kind,
    s3: {
      endpoint,
      bucket,
      region: pattern(env, 'S3_REGION', 'us-east-1', /^[a-z0-9-]{2,40}$/, 'a region name such as us-east-1'),
      prefix: pattern(
        env,
        'S3_PREFIX',
        'maml',
        /^(?!.*(^|\/)\.{1,2}(\/|$))[A-Za-z0-9._-]{1,100}(\/[A-Za-z0-9._-]{1,100})*$/,
        'a key prefix: parts of letters, digits, . _ - (not . or ..) joined by /',
      ),
      accessKeyId,
      secretAccessKey,
      forcePathStyle: read(env, 'S3_FORCE_PATH_STYLE') === undefined ? endpoint !== undefined : flag(env, 'S3_FORCE_PATH_STYLE'),
      createBucket: flag(env, 'S3_CREATE_BUCKET'),
    },
  };
}
