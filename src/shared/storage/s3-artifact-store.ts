/**
 * S3-compatible artifact store (AWS S3, MinIO, Ceph, R2…: the endpoint is configurable). Objects
 * are `<prefix>/<sha[0:2]>/<sha>`. A stream is uploaded (multipart, bounded memory) under a
 * temporary key while it is hashed, then copied to its digest's key: an object only ever appears
 * under a digest whole. The SDK is loaded only when this store is configured.
 */
import { createHash, randomUUID } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { ArtifactNotFoundError, assertDigest, type ArtifactStore, type StoredArtifact } from './artifact-store.ts';
import { collect, sha256Hex, verified } from './byte-streams.ts';

export interface S3Settings {
  /** e.g. http://minio:9000; absent: AWS S3 itself */
  readonly endpoint?: string;
  readonly region: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly forcePathStyle: boolean;
  /** Create the bucket at start-up when it does not exist (MinIO in compose). */
  readonly createBucket: boolean;
}

type Sdk = typeof import('@aws-sdk/client-s3');

export class S3ArtifactStore implements ArtifactStore {
  private constructor(
    private readonly sdk: Sdk,
    private readonly upload: typeof import('@aws-sdk/lib-storage').Upload,
    private readonly client: S3Client,
    private readonly settings: S3Settings,
  ) {}

  static async connect(settings: S3Settings): Promise<S3ArtifactStore> {
    const sdk = await import('@aws-sdk/client-s3');
    const { Upload } = await import('@aws-sdk/lib-storage');
    const client = new sdk.S3Client({
      region: settings.region,
      endpoint: settings.endpoint,
      forcePathStyle: settings.forcePathStyle,
      credentials:
        settings.accessKeyId && settings.secretAccessKey ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } : undefined,
      // S3-compatible servers do not all know the newer default checksums.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    const store = new S3ArtifactStore(sdk, Upload, client, settings);
    if (settings.createBucket) await store.ensureBucket();
    return store;
  }

  private async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new this.sdk.HeadBucketCommand({ Bucket: this.settings.bucket }));
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await this.client.send(new this.sdk.CreateBucketCommand({ Bucket: this.settings.bucket }));
    }
  }

  private key(sha256: string): string {
    assertDigest(sha256);
    return `${this.settings.prefix}/${sha256.slice(0, 2)}/${sha256}`;
  }

  private stored(sha256: string, size: number): StoredArtifact {
    return { sha256, size, location: `s3://${this.settings.bucket}/${this.key(sha256)}` };
  }

  async put(bytes: Uint8Array): Promise<StoredArtifact> {
    const sha256 = sha256Hex(bytes);
    if (!(await this.has(sha256))) {
      await this.client.send(
        new this.sdk.PutObjectCommand({ Bucket: this.settings.bucket, Key: this.key(sha256), Body: bytes, ContentLength: bytes.byteLength }),
      );
    }
    return this.stored(sha256, bytes.byteLength);
  }

  async putStream(chunks: AsyncIterable<Uint8Array>): Promise<StoredArtifact> {
    const temporary = `${this.settings.prefix}/tmp/${randomUUID()}`;
    const hash = createHash('sha256');
    let size = 0;
    const body = new PassThrough();
    const upload = new this.upload({ client: this.client, params: { Bucket: this.settings.bucket, Key: temporary, Body: body }, queueSize: 2 });
    const feeding = (async () => {
      for await (const chunk of chunks) {
        hash.update(chunk);
        size += chunk.byteLength;
        if (!body.write(chunk)) await new Promise((resolve) => body.once('drain', resolve));
      }
      body.end();
    })().catch((error: unknown) => body.destroy(error as Error));
    try {
      await Promise.all([upload.done(), feeding]);
      const sha256 = hash.digest('hex');
      if (!(await this.has(sha256))) {
        await this.client.send(
          new this.sdk.CopyObjectCommand({ Bucket: this.settings.bucket, Key: this.key(sha256), CopySource: `${this.settings.bucket}/${temporary}` }),
        );
      }
      return this.stored(sha256, size);
    } finally {
      await this.client.send(new this.sdk.DeleteObjectCommand({ Bucket: this.settings.bucket, Key: temporary })).catch(() => undefined);
    }
  }

  async get(sha256: string): Promise<Buffer> {
    return collect(await this.stream(sha256));
  }

  async stream(sha256: string): Promise<Readable> {
    let body;
    try {
      ({ Body: body } = await this.client.send(new this.sdk.GetObjectCommand({ Bucket: this.settings.bucket, Key: this.key(sha256) })));
    } catch (error) {
      if (isNotFound(error)) throw new ArtifactNotFoundError(sha256);
      throw error;
    }
    return Readable.from(verified(body as Readable, sha256), { objectMode: false });
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await this.client.send(new this.sdk.HeadObjectCommand({ Bucket: this.settings.bucket, Key: this.key(sha256) }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async delete(sha256: string): Promise<void> {
    await this.client.send(new this.sdk.DeleteObjectCommand({ Bucket: this.settings.bucket, Key: this.key(sha256) }));
  }

  close(): void {
    this.client.destroy();
  }
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.name === 'NoSuchBucket' || e?.$metadata?.httpStatusCode === 404;
}
