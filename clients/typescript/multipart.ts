/** The multipart bodies of /adapt and /predict: `images` file parts, in order, and text fields. */

/** An image: a File (its name is sent), a Blob, or raw bytes. */
export type ImageFile = Blob | Uint8Array;

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

function appendImage(form: FormData, file: ImageFile, index: number): void {
  if (file instanceof Blob) form.append('images', file, (file as File).name || `image-${index}`);
  else form.append('images', new Blob([file]), `image-${index}`);
}

export function adaptForm(input: AdaptInput): FormData {
  const form = new FormData();
  // Text fields first: the server reads them before the files stream in.
  form.append('labels', JSON.stringify(input.support.map((s) => s.label)));
  if (input.model !== undefined) form.append('model', input.model);
  if (input.steps !== undefined) form.append('steps', String(input.steps));
  if (input.ttlSeconds !== undefined) form.append('ttlSeconds', String(input.ttlSeconds));
  if (input.headOnly !== undefined) form.append('headOnly', String(input.headOnly));
  input.support.forEach((s, i) => appendImage(form, s.file, i));
  return form;
}

export function predictForm(sessionId: string, files: readonly ImageFile[]): FormData {
  const form = new FormData();
  form.append('sessionId', sessionId);
  files.forEach((file, i) => appendImage(form, file, i));
  return form;
}
