/**
 * Receives `multipart/form-data` with one file part (`archive`, as the route's contract names it)
 * and short text fields: the archive streams to a private temporary file (never held in memory),
 * cut off at the byte limit (413). The caller checks the text fields against the contract.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import type {} from '@fastify/multipart';
import { HttpError } from '../../../shared/errors.ts';
import { DatasetRejectedError } from '../../../shared/datasets/errors.ts';
import { fileParts, type MultipartBody } from '../../contract/multipart.ts';
import { invalidMultipart } from '../multipart-errors.ts';

export interface ReceivedUpload {
  /** The archive on disk, or null when the request had no `archive` part. */
  readonly file: string | null;
  readonly bytes: number;
  readonly fields: Readonly<Record<string, string>>;
  /** Removes the temporary file. */
  cleanup(): Promise<void>;
}

/** Room for the text fields and multipart framing on top of the archive itself. */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

const tooLarge = (limit: number) =>
  new DatasetRejectedError('over-limit', 'ARCHIVE_TOO_LARGE', `the archive is larger than the limit of ${limit} bytes`, { limit });

export async function receiveUpload(request: FastifyRequest, maxArchiveBytes: number, body: MultipartBody): Promise<ReceivedUpload> {
  const [archive] = fileParts(body).keys();
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxArchiveBytes + MULTIPART_OVERHEAD_BYTES) throw tooLarge(maxArchiveBytes);
  const folder = await mkdtemp(path.join(os.tmpdir(), 'maml-upload-'));
  const cleanup = () => rm(folder, { recursive: true, force: true });
  const fields: Record<string, string> = {};
  let file: string | null = null;
  let bytes = 0;
  try {
    const parts = request.parts({ limits: { fileSize: maxArchiveBytes, files: 1, fields: 16, fieldSize: 1024, parts: 17 } });
    for await (const part of parts) {
      if (part.type === 'field') {
        fields[part.fieldname] = String(part.value);
        continue;
      }
      if (part.fieldname !== archive) {
        part.file.resume();
        throw new HttpError(400, 'VALIDATION_ERROR', `body/${part.fieldname}: unexpected file part (send the zip as "${archive}")`);
      }
      file = path.join(folder, 'archive.zip');
      await pipeline(part.file, createWriteStream(file, { flags: 'wx' }));
      if (part.file.truncated) throw tooLarge(maxArchiveBytes);
      bytes = part.file.bytesRead;
    }
  } catch (error) {
    await cleanup();
    const code = (error as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(maxArchiveBytes);
    if (code === 'FST_FILES_LIMIT') throw new HttpError(400, 'VALIDATION_ERROR', `body: only one file part ("${archive}") is accepted`);
    if (code === 'FST_FIELDS_LIMIT' || code === 'FST_PARTS_LIMIT') throw new HttpError(400, 'VALIDATION_ERROR', 'body: too many form fields');
    if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE')
      throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `send multipart/form-data with the zip as the "${archive}" part`);
    throw invalidMultipart(error) ?? error;
  }
  return { file, bytes, fields, cleanup };
}
