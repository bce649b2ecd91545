/**
 * The multipart bodies of /adapt and /predict, typed by openapi.yaml's multipart schemas (a
 * renamed field there breaks the build here), and their serialisation: text fields first, then
 * one `images` part per file, in order.
 */
import type { paths } from './openapi-types.ts';

/** An image: a File (its name is sent), a Blob, or raw bytes. */
export type ImageFile = Blob | Uint8Array;

export type AdaptMultipart = paths['/adapt']['post']['requestBody']['content']['multipart/form-data'];
export type PredictMultipart = paths['/predict']['post']['requestBody']['content']['multipart/form-data'];

export interface SupportImage {
  /** Any text without control characters; distinct labels become the classes. */
  readonly label: string;
  readonly file: ImageFile;
}

export interface AdaptInput {
  readonly support: readonly SupportImage[];
  /** Model id or name (default: the service's default model). */
  readonly model?: string;
  /** Inner steps (default: the model's test-time steps). */
  readonly steps?: number;
  readonly ttlSeconds?: number;
  /** Adapt only the head (ANIL-style). */
  readonly headOnly?: boolean;
}

/** A File with a name: the service reads parts without a filename as text fields. */
function asFile(file: ImageFile, index: number): File {
  if (file instanceof File && file.name) return file;
  return new File([file instanceof Blob ? file : new Uint8Array(file)], `image-${index}`, { type: file instanceof Blob ? file.type : '' });
}

export function adaptParts(input: AdaptInput): AdaptMultipart {
  const parts: AdaptMultipart = {
    labels: JSON.stringify(input.support.map((s) => s.label)),
    images: input.support.map((s, i) => asFile(s.file, i)),
  };
  if (input.model !== undefined) parts.model = input.model;
  if (input.steps !== undefined) parts.steps = input.steps;
  if (input.ttlSeconds !== undefined) parts.ttlSeconds = input.ttlSeconds;
  if (input.headOnly !== undefined) parts.headOnly = input.headOnly;
  return parts;
}

export function predictParts(sessionId: string, files: readonly ImageFile[]): PredictMultipart {
  return { sessionId, images: files.map(asFile) };
}

/** Text fields first (the server reads them before the files stream in), then the files. */
export function toFormData(parts: Readonly<Record<string, string | number | boolean | readonly Blob[] | undefined>>): FormData {
  const form = new FormData();
  const entries = Object.entries(parts).filter(([, v]) => v !== undefined);
  for (const [name, value] of entries) if (!Array.isArray(value)) form.append(name, String(value));
  for (const [name, value] of entries) if (Array.isArray(value)) for (const file of value as File[]) form.append(name, file, file.name);
  return form;
}
