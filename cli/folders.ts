/** Local input: a support folder (one sub-folder per class) and the images to classify. */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { isImagePath } from '../clients/typescript/index.ts';
import { UsageError } from './exit-codes.ts';

export interface LabelledPath {
  readonly label: string;
  readonly path: string;
}

const visible = (name: string) => !name.startsWith('.') && name !== '__MACOSX';

/** Image files of a folder, sorted by name (not recursive). */
async function imagesIn(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && visible(e.name) && isImagePath(e.name))
    .map((e) => path.join(folder, e.name))
    .sort();
}

/** `folder/<label>/<image>`: the sub-folder's name is the label of each image in it. */
export async function readSupportFolder(folder: string): Promise<LabelledPath[]> {
  if (!(await stat(folder)).isDirectory()) throw new UsageError(`${folder} is not a folder: give a folder with one sub-folder of images per class`);
  const classes = (await readdir(folder, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && visible(e.name))
    .map((e) => e.name)
    .sort();
  if (classes.length === 0) throw new UsageError(`${folder} has no sub-folders: put the images of each class in a sub-folder named after its label`);
  const support: LabelledPath[] = [];
  for (const label of classes) {
    const images = await imagesIn(path.join(folder, label));
    if (images.length === 0) throw new UsageError(`${path.join(folder, label)} holds no images (.png, .jpg, .jpeg, .webp)`);
    for (const image of images) support.push({ label, path: image });
  }
  return support;
}

/** The files given, and the images inside the folders given (with their sub-folders), in order. */
export async function collectImages(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  async function walk(folder: string): Promise<void> {
    const entries = (await readdir(folder, { withFileTypes: true })).filter((e) => visible(e.name)).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && isImagePath(entry.name)) files.push(full);
    }
  }
  for (const given of paths) {
    if ((await stat(given)).isDirectory()) await walk(given);
    else files.push(given);
  }
  if (files.length === 0) throw new UsageError(`no images (.png, .jpg, .jpeg, .webp) in ${paths.join(', ')}`);
  return files;
}
