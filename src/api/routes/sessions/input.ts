/**
 * Reads the support set or query images of a request, multipart or JSON, into raw image bytes
 * plus the request's settings, enforcing the per-file and per-request limits before anything is
 * decoded. Which parts a multipart body may have, and what its text fields must hold, come from
 * the route's contract (schemas.ts); JSON bodies are checked by fastify against the same contract.
 */
import type { FastifyRequest } from 'fastify';
import { Busboy, type BusboyHeaders, type BusboyInstance } from '@fastify/busboy';
import type { TObject } from '@sinclair/typebox';
import { HttpError } from '../../../shared/errors.ts';
import { fileParts, isTextField, type MultipartBody, type MultipartFields, validateFields } from '../../contract/multipart.ts';
import { InvalidMultipartError, invalidMultipart } from '../multipart-errors.ts';

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

/** More text fields or parts than a body may have (fields: 20; parts: MAX_FILES + 21). */
export function tooManyParts(what: 'FIELDS' | 'PARTS', max: number): HttpError {
  return new HttpError(413, `${what}_LIMIT`, `more than ${max} ${what === 'FIELDS' ? 'text fields' : 'parts'} in one multipart body`);
}

const MAX_TEXT_FIELDS = 20;
const MAX_FIELD_BYTES = 1_000_000;

/**
 * Reads a multipart body with busboy's events alone: images are gathered chunk by chunk as they
 * are parsed and the one promise settles at busboy's `finish` (or the first refusal), with no
 * per-part async iteration or stream-to-buffer copy. Refusals, in body order: a file part the
 * contract does not name or a text field it does not name (400 UNEXPECTED_PART), a file beyond
 * MAX_FILES (413 TOO_MANY_FILES), a file over MAX_FILE_BYTES (413 FILE_TOO_LARGE), more than 20
 * text fields (413 FIELDS_LIMIT), a body busboy cannot parse or that ends early (400
 * INVALID_MULTIPART). After a refusal the rest of the body is read and dropped, so the connection
 * stays usable. An empty body is an empty form.
 */
export function readMultipart<T extends TObject>(
  request: FastifyRequest,
  limits: UploadLimits,
  body: MultipartBody<T>,
): Promise<ImageUpload<MultipartFields<T>>> {
  const files = fileParts(body);
  const raw = request.raw;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[][] = [];
    const names: (string | undefined)[] = [];
    const fields: Record<string, string> = {};
    let settled = false;
    let sawData = false;
    let parser: BusboyInstance;
    const onData = () => {
      sawData = true;
    };
    const onClose = () => {
      if (!raw.readableEnded) fail(new InvalidMultipartError('the request ended before its body'));
    };
    const done = () => {
      settled = true;
      raw.off('close', onClose);
      raw.off('data', onData);
      raw.unpipe(parser);
    };
    function fail(error: unknown): void {
      if (settled) return;
      done();
      raw.resume(); // drop the rest of the body
      reject(invalidMultipart(error) ?? error);
    }
    try {
      parser = Busboy({
        headers: raw.headers as BusboyHeaders,
        limits: {
          fileSize: limits.maxFileBytes,
          files: limits.maxFiles + 1,
          fields: MAX_TEXT_FIELDS,
          fieldSize: MAX_FIELD_BYTES,
          parts: limits.maxFiles + MAX_TEXT_FIELDS + 1,
        },
      });
    } catch (error) {
      reject(invalidMultipart(error) ?? error);
      return;
    }
    parser.on('file', (name, stream, filename) => {
      if (settled) return void stream.resume();
      if (!files.has(name)) {
        stream.resume();
        return fail(new UnexpectedPartError(name, [...files.keys()]));
      }
      if (chunks.length >= limits.maxFiles) {
        stream.resume();
        return fail(tooManyFiles(chunks.length + 1, limits.maxFiles));
      }
      const parts: Buffer[] = [];
      chunks.push(parts);
      names.push(filename ? JSON.stringify(filename.slice(0, 200)) : undefined);
      stream.on('data', (chunk: Buffer) => parts.push(chunk));
      stream.on('limit', () => fail(fileTooLarge(limits.maxFileBytes)));
    });
    parser.on('field', (name, value) => {
      if (!isTextField(body, name)) return fail(new UnexpectedPartError(name, [...files.keys()]));
      fields[name] = value;
    });
    parser.on('filesLimit', () => fail(tooManyFiles(limits.maxFiles + 1, limits.maxFiles)));
    parser.on('fieldsLimit', () => fail(tooManyParts('FIELDS', MAX_TEXT_FIELDS)));
    parser.on('partsLimit', () => fail(tooManyParts('PARTS', limits.maxFiles + MAX_TEXT_FIELDS + 1)));
    parser.on('error', (error) => {
      if (!sawData && error instanceof Error && error.message === 'Unexpected end of multipart data') return finish();
      fail(error);
    });
    parser.on('finish', finish);
    function finish(): void {
      if (settled) return;
      done();
      try {
        const images = chunks.map((parts) => (parts.length === 1 ? parts[0]! : Buffer.concat(parts)));
        resolve({ images, names, fields: validateFields(request, body, fields), labels: null });
      } catch (error) {
        reject(error);
      }
    }
    raw.on('data', onData);
    raw.on('close', onClose);
    raw.pipe(parser);
  });
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
