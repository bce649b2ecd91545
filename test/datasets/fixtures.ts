/** Test data for dataset uploads: small PNGs, zips in either layout, multipart bodies. */
import { buildZip, type ZipEntry } from '../../src/data/testing/zip.ts';
import { encodeGrayPng } from '../../src/data/testing/png.ts';
import { multipart as multipartBody, type Part } from '../helpers/multipart.ts';

export type { Part } from '../helpers/multipart.ts';

/** A 12×12 8-bit gray PNG whose pixels depend on `seed` (distinct images, distinct bytes). */
export function png(seed: number, size = 12): Uint8Array {
  const levels = Array.from({ length: size * size }, (_, i) => (seed * 37 + i * ((seed % 7) + 1) * 11) % 256);
  return encodeGrayPng(size, size, 8, levels);
}

/** `classes` folders of `perClass` PNGs, under `root` (e.g. "mydata/"). */
export function folderEntries(classes: number, perClass: number, root = ''): ZipEntry[] {
  const entries: ZipEntry[] = [];
  for (let c = 0; c < classes; c++) {
    for (let k = 0; k < perClass; k++) entries.push({ name: `${root}class${c}/img${k}.png`, data: png(c * 100 + k), deflate: k % 2 === 0 });
  }
  return entries;
}

export function zipOf(entries: readonly ZipEntry[]): Buffer {
  return buildZip(entries);
}

/** Sets the "encrypted" flag (general purpose bit 0) on every entry of a zip. */
export function markEncrypted(zip: Buffer): Buffer {
  const out = Buffer.from(zip);
  for (let i = 0; i + 4 <= out.length; i++) {
    const signature = out.readUInt32LE(i);
    if (signature === 0x04034b50) out.writeUInt16LE(out.readUInt16LE(i + 6) | 1, i + 6);
    if (signature === 0x02014b50) out.writeUInt16LE(out.readUInt16LE(i + 8) | 1, i + 8);
  }
  return out;
}

/** Multipart bodies of dataset uploads (files as application/zip). */
export function multipart(parts: readonly Part[]): { payload: Buffer; headers: Record<string, string> } {
  return multipartBody(parts, 'application/zip');
}

/** The usual upload: a name and the zip as "archive". */
export function upload(zip: Uint8Array, name = 'test-set', extra: Record<string, string> = {}) {
  return multipart([
    { name: 'name', value: name },
    ...Object.entries(extra).map(([n, v]) => ({ name: n, value: v })),
    { name: 'archive', value: zip, filename: 'data.zip' },
  ]);
}
