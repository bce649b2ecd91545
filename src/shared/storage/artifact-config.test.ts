import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../config-values.ts';
import { readArtifactConfig } from './artifact-config.ts';

test('the PostgreSQL store is the default; fs and s3 are chosen by ARTIFACT_STORE', () => {
  assert.deepEqual(readArtifactConfig({}), { kind: 'postgres' });
  assert.deepEqual(readArtifactConfig({ ARTIFACT_STORE: 'fs' }), { kind: 'fs' });
  const s3 = readArtifactConfig({
    ARTIFACT_STORE: 's3',
    S3_BUCKET: 'maml-weights',
    S3_ENDPOINT: 'http://minio:9000',
    S3_ACCESS_KEY_ID: 'k',
    S3_SECRET_ACCESS_KEY: 's',
    S3_CREATE_BUCKET: 'true',
  });
  assert.deepEqual(s3, {
    kind: 's3',
    s3: {
      endpoint: 'http://minio:9000',
      bucket: 'maml-weights',
      region: 'us-east-1',
      prefix: 'maml',
      accessKeyId: 'k',
      secretAccessKey: 's',
      forcePathStyle: true,
      createBucket: true,
    },
  });
  const aws = readArtifactConfig({ ARTIFACT_STORE: 's3', S3_BUCKET: 'maml-weights', S3_REGION: 'eu-west-1' });
  assert.equal(aws.kind === 's3' && aws.s3.forcePathStyle, false, 'virtual-hosted style on AWS itself');
});

test('bad S3 settings name the variable', () => {
  const cases: [Record<string, string>, string][] = [
    [{ ARTIFACT_STORE: 'disk' }, 'ARTIFACT_STORE'],
    [{ ARTIFACT_STORE: 's3' }, 'S3_BUCKET'],
    [{ ARTIFACT_STORE: 's3', S3_BUCKET: 'Bad_Bucket' }, 'S3_BUCKET'],
    [{ ARTIFACT_STORE: 's3', S3_BUCKET: 'ok-bucket', S3_ENDPOINT: 'ftp://x' }, 'S3_ENDPOINT'],
    [{ ARTIFACT_STORE: 's3', S3_BUCKET: 'ok-bucket', S3_ACCESS_KEY_ID: 'k' }, 'S3_SECRET_ACCESS_KEY'],
    [{ ARTIFACT_STORE: 's3', S3_BUCKET: 'ok-bucket', S3_PREFIX: '../up' }, 'S3_PREFIX'],
  ];
  for (const [env, variable] of cases) {
    assert.throws(
      () => readArtifactConfig(env),
      (error: unknown) => error instanceof ConfigError && error.variable === variable,
      JSON.stringify(env),
    );
  }
});
