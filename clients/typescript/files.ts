/** Node helpers: image files from disk, as the client's ImageFile (a File carrying its name). */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

const TYPES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp' };
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(Object.keys(TYPES));

export function isImagePath(file: string): boolean {
  return IMAGE_EXTENSIONS.has(path.extname(file).toLowerCase());
}

export async function openImage(file: string): Promise<File> {
  const bytes = await readFile(file);
  return new File([bytes], path.basename(file), { type: TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream' });
}
