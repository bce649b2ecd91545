/**
 * The mixed traffic of `npm run bench:load`: per connection, one /adapt (5-way 1-shot, real
 * Omniglot PNGs, multipart) then three /predict of 10 images against a session made beforehand.
 * Bodies are built once; autocannon replays them.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type autocannon from 'autocannon';

export interface Upload {
  readonly body: Buffer;
  readonly contentType: string;
}

export function multipartBody(fields: Record<string, string>, files: readonly Buffer[]): Upload {
  const boundary = `----maml-load-${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  files.forEach((file, i) => {
    parts.push(
      Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="images"; filename="${i}.png"\r\ncontent-type: image/png\r\n\r\n`),
      file,
      Buffer.from('\r\n'),
    );
  });
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** 5 characters of one evaluation alphabet: one support PNG each and 2 query PNGs each. */
export async function omniglotImages(omniglotDir: string): Promise<{ labels: string[]; support: Buffer[]; queries: Buffer[] }> {
  const alphabet = path.join(omniglotDir, 'images_evaluation', 'Tengwar');
  const characters = (await readdir(alphabet)).sort().slice(0, 5);
  const support: Buffer[] = [];
  const queries: Buffer[] = [];
  for (const c of characters) {
    const files = (await readdir(path.join(alphabet, c))).sort();
    support.push(await readFile(path.join(alphabet, c, files[0]!)));
    for (const f of files.slice(1, 3)) queries.push(await readFile(path.join(alphabet, c, f)));
  }
  return { labels: characters, support, queries };
}

export function mixedRequests(key: string, sessionId: string, images: Awaited<ReturnType<typeof omniglotImages>>): autocannon.Request[] {
  const adapt = multipartBody({ labels: JSON.stringify(images.labels) }, images.support);
  const predict = multipartBody({ sessionId }, images.queries);
  const request = (p: string, upload: Upload): autocannon.Request => ({
    method: 'POST',
    path: p,
    headers: { authorization: `Bearer ${key}`, 'content-type': upload.contentType },
    body: upload.body,
  });
  return [request('/adapt', adapt), request('/predict', predict), request('/predict', predict), request('/predict', predict)];
}
