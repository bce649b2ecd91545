/**
 * The standard Omniglot layout: <dir>/images_background/<alphabet>/<character>/*.png and
 * <dir>/images_evaluation/... (30 + 20 alphabets, 964 + 659 characters, 20 drawings each).
 * Everything is listed in sorted order, so indices are stable across machines.
 */
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';

export const OMNIGLOT_SPLITS = ['images_background', 'images_evaluation'] as const;
export type OmniglotSplit = (typeof OMNIGLOT_SPLITS)[number];

export interface OmniglotCharacter {
  readonly split: OmniglotSplit;
  readonly alphabet: string;
  readonly character: string;
  /** Paths relative to the Omniglot directory, posix separators, sorted. */
  readonly files: readonly string[];
}

export interface OmniglotIndex {
  readonly dir: string;
  /** Background characters first, then evaluation; each sorted by alphabet, then character. */
  readonly characters: readonly OmniglotCharacter[];
  readonly imageCount: number;
}

export class OmniglotMissingError extends Error {
  constructor(
    readonly dir: string,
    readonly missing: readonly string[],
  ) {
    super(`Omniglot not found in ${dir}: missing ${missing.join(', ')}`);
  }
}

export class OmniglotLayoutError extends Error {
  constructor(
    readonly where: string,
    readonly reason: string,
  ) {
    super(`unexpected Omniglot layout at ${where}: ${reason}`);
  }
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

async function subdirectories(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort(byName);
}

/** Which splits are absent (both present → []). */
export async function missingSplits(dir: string): Promise<OmniglotSplit[]> {
  const present = await subdirectories(dir).catch(() => [] as string[]);
  return OMNIGLOT_SPLITS.filter((split) => !present.includes(split));
}

export async function indexOmniglot(dir: string): Promise<OmniglotIndex> {
  const root = path.resolve(dir);
  const missing = await missingSplits(root);
  if (missing.length > 0) throw new OmniglotMissingError(root, missing);
  const characters: OmniglotCharacter[] = [];
  for (const split of OMNIGLOT_SPLITS) {
    const alphabets = await subdirectories(path.join(root, split));
    if (alphabets.length === 0) throw new OmniglotLayoutError(path.join(root, split), 'no alphabet folders');
    const perAlphabet = await Promise.all(
      alphabets.map(async (alphabet) => {
        const names = await subdirectories(path.join(root, split, alphabet));
        return Promise.all(
          names.map(async (character): Promise<OmniglotCharacter> => {
            const entries = await readdir(path.join(root, split, alphabet, character), { withFileTypes: true });
            const files = entries
              .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.png'))
              .map((e) => `${split}/${alphabet}/${character}/${e.name}`)
              .sort(byName);
            if (files.length === 0) throw new OmniglotLayoutError(path.join(root, split, alphabet, character), 'no PNG files');
            return { split, alphabet, character, files };
          }),
        );
      }),
    );
    characters.push(...perAlphabet.flat());
  }
  return { dir: root, characters, imageCount: characters.reduce((n, c) => n + c.files.length, 0) };
}

/** sha256 over the sorted relative paths: changes when a file is added, removed or renamed. */
export function listingDigest(index: OmniglotIndex): string {
  const hash = createHash('sha256');
  for (const c of index.characters) for (const file of c.files) hash.update(`${file}\n`);
  return hash.digest('hex');
}
