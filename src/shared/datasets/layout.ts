/**
 * Which classes an archive holds, from its file names alone (before anything is decompressed).
 * Folders every file shares (`mydata/`, `images_background/`) are unwrapped; then every image
 * must sit at the same depth: `<class>/<image>` (layout "folders") or
 * `<alphabet>/<character>/<image>` (layout "omniglot", class = "alphabet/character"; both
 * `images_background/` and `images_evaluation/` side by side also work, the split in the name).
 * Operating-system litter (`__MACOSX/`, dot files, Thumbs.db, desktop.ini) is ignored.
 */
import { OMNIGLOT_SPLITS } from '../../data/omniglot/layout.ts';
import { DatasetRejectedError } from './errors.ts';

export type DatasetLayout = 'folders' | 'omniglot';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'] as const;
export const MIN_CLASSES = 5;
export const MIN_IMAGES_PER_CLASS = 2;

export interface DatasetClass {
  readonly name: string;
  /** Entry names in the archive, sorted. */
  readonly files: readonly string[];
}

export interface DatasetPlan {
  readonly layout: DatasetLayout;
  /** Sorted by name, so the same archive always gives the same class order (and artifact). */
  readonly classes: readonly DatasetClass[];
  readonly imageCount: number;
}

const LITTER = new Set(['thumbs.db', 'desktop.ini']);
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function isIgnoredEntry(name: string): boolean {
  const parts = name.split('/').filter((p) => p !== '');
  return parts[0] === '__MACOSX' || parts.some((p) => p.startsWith('.')) || LITTER.has((parts.at(-1) ?? '').toLowerCase());
}

export function hasImageExtension(name: string): boolean {
  const lower = name.toLowerCase();
  return IMAGE_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

/** The plan for these file entries (directories and ignored entries already left out). */
export function planDataset(fileNames: readonly string[]): DatasetPlan {
  const files = fileNames.map((name) => ({ name, parts: name.split('/').filter((p) => p !== '') }));
  for (const file of files) {
    if (!hasImageExtension(file.name)) {
      throw new DatasetRejectedError('unusable', 'NOT_AN_IMAGE', `${JSON.stringify(file.name)} is not an image (expected ${IMAGE_EXTENSIONS.join(', ')})`, {
        entry: file.name,
      });
    }
  }
  if (files.length === 0) throw new DatasetRejectedError('unusable', 'TOO_FEW_CLASSES', 'the archive holds no images', { classes: 0, minimum: MIN_CLASSES });
  let strip = 0;
  while (files.every((f) => f.parts.length > strip + 2 && f.parts[strip] === files[0]!.parts[strip])) strip++;
  const depth = files[0]!.parts.length - strip;
  const odd = files.find((f) => f.parts.length - strip !== depth);
  // Both Omniglot splits side by side: <images_background|images_evaluation>/<alphabet>/<character>/<image>
  const splits = depth === 4 && files.every((f) => (OMNIGLOT_SPLITS as readonly string[]).includes(f.parts[strip]!));
  if (odd || (depth > 3 && !splits)) {
    const example = odd ?? files[0]!;
    throw new DatasetRejectedError(
      'unusable',
      'INVALID_LAYOUT',
      `images must all be <class>/<image> or <alphabet>/<character>/<image>; ${JSON.stringify(example.name)} does not fit` +
        (odd ? ` (${JSON.stringify(files[0]!.name)} is at another depth)` : ''),
      { entry: example.name },
    );
  }
  if (depth < 2) {
    throw new DatasetRejectedError('unusable', 'INVALID_LAYOUT', `${JSON.stringify(files[0]!.name)} is not inside a class folder`, { entry: files[0]!.name });
  }
  const byClass = new Map<string, string[]>();
  for (const file of files) {
    const name = file.parts.slice(strip, -1).join('/');
    const list = byClass.get(name);
    if (list) list.push(file.name);
    else byClass.set(name, [file.name]);
  }
  const classes = [...byClass.entries()].sort(([a], [b]) => byName(a, b)).map(([name, list]) => ({ name, files: list.sort(byName) }));
  if (classes.length < MIN_CLASSES) {
    throw new DatasetRejectedError('unusable', 'TOO_FEW_CLASSES', `${classes.length} classes found; at least ${MIN_CLASSES} are needed`, {
      classes: classes.length,
      minimum: MIN_CLASSES,
    });
  }
  const small = classes.find((c) => c.files.length < MIN_IMAGES_PER_CLASS);
  if (small) {
    throw new DatasetRejectedError(
      'unusable',
      'TOO_FEW_IMAGES',
      `class ${JSON.stringify(small.name)} has ${small.files.length} image(s); every class needs at least ${MIN_IMAGES_PER_CLASS}`,
      {
        class: small.name,
        images: small.files.length,
        minimum: MIN_IMAGES_PER_CLASS,
      },
    );
  }
  return { layout: depth === 2 ? 'folders' : 'omniglot', classes, imageCount: files.length };
}
