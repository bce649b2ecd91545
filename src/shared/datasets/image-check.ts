/**
 * Before an uploaded file is decoded: is it really a PNG, JPEG or WebP (by its bytes, not its
 * name), and is it small enough to decode? PNG dimensions are read from the IHDR chunk (no
 * decoder involved); JPEG and WebP dimensions from sharp's header-only metadata.
 */
import { pngSize } from '../../data/image/png-gray.ts';
import { DatasetRejectedError } from './errors.ts';

export type ImageFormat = 'png' | 'jpeg' | 'webp';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function sniffImageFormat(bytes: Uint8Array): ImageFormat | null {
  if (bytes.length >= 24 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  const ascii = (from: number, to: number) => Buffer.from(bytes.subarray(from, to)).toString('latin1');
  if (bytes.length >= 16 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  return null;
}

async function dimensions(bytes: Uint8Array, format: ImageFormat): Promise<{ width: number; height: number }> {
  const png = format === 'png' ? pngSize(bytes) : null;
  if (png) return png;
  const { default: sharp } = await import('sharp');
  const meta = await sharp(bytes).metadata();
  return { width: meta.width ?? 0, height: meta.height ?? 0 };
}

/** Throws 422 NOT_AN_IMAGE / INVALID_IMAGE / IMAGE_TOO_LARGE naming `entry`. */
export async function checkImage(bytes: Uint8Array, entry: string, maxPixels: number): Promise<ImageFormat> {
  const format = sniffImageFormat(bytes);
  if (format === null) {
    throw new DatasetRejectedError('unusable', 'NOT_AN_IMAGE', `${JSON.stringify(entry)} is not a PNG, JPEG or WebP image`, { entry });
  }
  let size: { width: number; height: number };
  try {
    size = await dimensions(bytes, format);
  } catch (error) {
    throw new DatasetRejectedError('unusable', 'INVALID_IMAGE', `${JSON.stringify(entry)} cannot be read: ${(error as Error).message}`, { entry });
  }
  if (size.width < 1 || size.height < 1) {
    throw new DatasetRejectedError('unusable', 'INVALID_IMAGE', `${JSON.stringify(entry)} has no pixels (${size.width}×${size.height})`, { entry });
  }
  if (size.width * size.height > maxPixels) {
    throw new DatasetRejectedError(
      'unusable',
      'IMAGE_TOO_LARGE',
      `${JSON.stringify(entry)} is ${size.width}×${size.height} pixels; the limit is ${maxPixels}`,
      {
        entry,
        width: size.width,
        height: size.height,
        limit: maxPixels,
      },
    );
  }
  return format;
}
