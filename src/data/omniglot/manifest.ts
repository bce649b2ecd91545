/**
 * Content digest of an extracted Omniglot split: sha256 over the sorted lines
 * `<relative/path>\0<sha256 of the file, hex>\n`, paths relative to the Omniglot directory with
 * posix separators (e.g. "images_background/Greek/character01/0394_01.png"), PNG files only.
 * The zips' own hashes are unknown offline; this digest of the official contents is what a
 * download is verified against.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { OmniglotSplit } from './layout.ts';

/** Digests of the official images_background.zip / images_evaluation.zip contents (brendenlake/omniglot). */
export const OFFICIAL_DIGESTS: Readonly<Record<OmniglotSplit, string>> = {
  images_background: '7c563fb7d98dbd312c5e0ccb87230ca9d7e8a13d672e5de6186245e7905ed43e', // 19,280 PNGs
  images_evaluation: 'e5a69b751aa33f555bdc92febd48220b69a811b2ff01de32bf4d1bca47bd1809', // 13,180 PNGs
};

export class UnexpectedEntryError extends Error {
  constructor(
    readonly entry: string,
    readonly kind: string,
  ) {
    super(`unexpected ${kind} in the Omniglot tree: ${entry}`);
  }
}

async function pngFiles(root: string, relative: string, out: string[]): Promise<void> {
  for (const entry of await readdir(path.join(root, relative), { withFileTypes: true })) {
    const child = `${relative}/${entry.name}`;
    if (entry.isDirectory()) await pngFiles(root, child, out);
    else if (entry.isSymbolicLink()) throw new UnexpectedEntryError(child, 'symbolic link');
    else if (entry.isFile() && entry.name.toLowerCase().endsWith('.png')) out.push(child);
  }
}

export async function manifestDigest(root: string, split: OmniglotSplit): Promise<{ digest: string; files: number }> {
  const files: string[] = [];
  await pngFiles(root, split, files);
  files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const manifest = createHash('sha256');
  const batch = 64;
  for (let i = 0; i < files.length; i += batch) {
    const slice = files.slice(i, i + batch);
    const contents = await Promise.all(slice.map((file) => readFile(path.join(root, file))));
    slice.forEach((file, k) => manifest.update(`${file}\0${createHash('sha256').update(contents[k]!).digest('hex')}\n`));
  }
  return { digest: manifest.digest('hex'), files: files.length };
}
