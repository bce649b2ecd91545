/**
 * Reads the support set or query images of a request, multipart or JSON, into raw image bytes
 * plus the request's settings, enforcing the per-file and per-request limits before anything is
 * decoded. Which parts a multipart body may have, and what its text fields must hold, come from
 * the route's contract (schemas.ts); JSON bodies are checked by fastify against the same contract.
 */
import type { FastifyRequest } from 'fastify';
import type {} from '@fastify/multipart';
import type { TObject } from '@sinclair/typebox';
import { HttpError } from '../../../shared/errors.ts';
import { fileParts, isTextField, type MultipartBody, type MultipartFields, validateFields } from '../../contract/multipart.ts';
import { invalidMultipart } from '../multipart-errors.ts';

export interface UploadLimits {
  readonly maxFileBytes: number;
  readonly maxFiles: number;
}

export interface ImageUpload<F> {
  readonly images: Buffer[];
  /** The request's other fields, checked against its contract. */
  readonly fields: F;
  /** How error messages name each image (ImageBatch.names): its multipart filename; its label in JSON. */
  readonly names: (string | undefined)[];
  /** JSON bodies carry labels beside each image; multipart ones in the `labels` field. */
  readonly labels: string[] | null;
}

export class UnexpectedPartError extends HttpError {
  constructor(
    readonly part: string,
    files: readonly string[],
  ) {
    super(
      400,
      'UNEXPECTED_PART',
      `unexpected multipart part ${JSON.stringify(part.slice(0, 100))}: file parts are named ${files.map((f) => `"${f}"`).join(', ')}`,
    );
  }
}

export function tooManyFiles(count: number, max: number): HttpError {
  return new HttpError(413, 'TOO_MANY_FILES', `${count} images in one request; at most ${max}`);
}

export function fileTooLarge(max: number): HttpError {
  return new HttpError(413, 'FILE_TOO_LARGE', `an image is larger than ${max} bytes`);
}

export async function readMultipart<T extends TObject>(
  request: FastifyRequest,
  limits: UploadLimits,
  body: MultipartBody<T>,
): Promise<ImageUpload<MultipartFields<T>>> {
  try {
    return await readParts(request, limits, body);
  } catch (error) {
    throw invalidMultipart(error) ?? error;
  }
}

async function readParts<T extends TObject>(request: FastifyRequest, limits: UploadLimits, body: MultipartBody<T>): Promise<ImageUpload<MultipartFields<T>>> {
  const files = [...fileParts(body).keys()];
  const images: Buffer[] = [];
  const names: (string | undefined)[] = [];
  const fields: Record<string, string> = {};
  for await (const part of request.parts({ limits: { fileSize: limits.maxFileBytes, files: limits.maxFiles + 1, fields: 20, fieldSize: 1_000_000 } })) {
    if (part.type === 'file') {
      if (!files.includes(part.fieldname)) {
        part.file.resume();
        throw new UnexpectedPartError(part.fieldname, files);
      }
      if (images.length >= limits.maxFiles) {
        part.file.resume();
        throw tooManyFiles(images.length + 1, limits.maxFiles);
      }
      const bytes = await part.toBuffer();
      if (part.file.truncated) throw fileTooLarge(limits.maxFileBytes);
      images.push(bytes);
      names.push(part.filename ? JSON.stringify(part.filename.slice(0, 200)) : undefined);
    } else {
      if (!isTextField(body, part.fieldname)) throw new UnexpectedPartError(part.fieldname, files);
      fields[part.fieldname] = String(part.value);
    }
  }
  return { images, names, fields: validateFields(request, body, fields), labels: null };
}

/** Decodes a base64 image string of a JSON body (standard or URL-safe alphabet, no data: prefix needed). */
export function decodeBase64Image(value: string, index: number, maxFileBytes: number): Buffer {
  const payload = value.startsWith('data:') ? value.slice(value.indexOf(',') + 1) : value;
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(payload)) {
    throw new HttpError(400, 'INVALID_BASE64', `image ${index} is not valid base64`);
  }
  const bytes = Buffer.from(payload, 'base64');
  if (bytes.length > maxFileBytes) throw fileTooLarge(maxFileBytes);
  return bytes;
}

export function missingLabels(): HttpError {
  return new HttpError(400, 'MISSING_LABELS', 'multipart field "labels" is required: a JSON array of strings, one per image');
}

/** `labels` of a multipart request: a JSON array of strings, one per image. */
export function parseLabelsField(raw: string | undefined): string[] {
  if (raw === undefined) throw missingLabels();
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new HttpError(400, 'INVALID_LABELS', 'field "labels" must be a JSON array of strings');
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new HttpError(400, 'INVALID_LABELS', 'field "labels" must be a JSON array of strings');
  }
  return value as string[];
}
