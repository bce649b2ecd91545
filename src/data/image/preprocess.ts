/**
 * The one image preprocessing of the service, used for training data (Omniglot) and for user
 * uploads alike, so both reach the network identically:
 *   decode (PNG/JPEG/WebP/…; EXIF orientation applied) → alpha flattened onto white → gray (1
 *   channel) or sRGB (3) at 8 bits → padded to a square with white (centred; a no-op for square
 *   images) → area-resized to size×size (see area-resize.ts for why area) → scaled to [0, 1] →
 *   inverted if asked (Omniglot: 1 = white paper, 0 = ink; inverted, ink is high) → (x − mean)/std.
 * Grayscale PNGs skip libvips (png-gray.ts): same pixels, ~50× less CPU.
 */
import type { Preprocessing } from '../../core/types.ts';
import { areaResize } from './area-resize.ts';
import { decodeGrayPng, pngSize } from './png-gray.ts';

export type PreprocessOptions = Pick<Preprocessing, 'size' | 'channels' | 'invert'> & {
  readonly normalisation?: Preprocessing['normalisation'];
};

/** Decoded images above this many pixels are refused (a 20 MB upload can hide a huge image). */
export const MAX_INPUT_PIXELS = 50_000_000;

export class InvalidImageError extends Error {
  constructor(
    readonly reason: string,
    readonly byteLength: number,
  ) {
    super(`cannot decode the image (${byteLength} bytes): ${reason}`);
  }
}

export class ImageTooLargeError extends Error {
  constructor(
    readonly width: number,
    readonly height: number,
    readonly maxPixels: number,
  ) {
    super(`the image is ${width}×${height} = ${width * height} pixels; at most ${maxPixels} are accepted`);
  }
}

/**
 * Width and height from the image header alone (nothing is decoded), checked against `maxPixels`.
 * PNGs are read here (sharp's metadata() costs ~1.4 ms of libvips set-up per image, four times an
 * Omniglot drawing's whole decoding); other formats ask sharp.
 */
export async function checkImageSize(bytes: Uint8Array, maxPixels: number): Promise<{ width: number; height: number }> {
  let { width, height }: { width?: number | undefined; height?: number | undefined } = pngSize(bytes) ?? {};
  if (width === undefined) {
    const { default: sharp } = await import('sharp');
    try {
      ({ width, height } = await sharp(bytes).metadata());
    } catch (error) {
      throw new InvalidImageError((error as Error).message, bytes.byteLength);
    }
  }
  if (!width || !height) throw new InvalidImageError('no image dimensions in the header', bytes.byteLength);
  if (width * height > maxPixels) throw new ImageTooLargeError(width, height, maxPixels);
  return { width, height };
}

export class PreprocessOptionsError extends Error {
  constructor(
    readonly field: string,
    readonly actual: unknown,
  ) {
    super(`invalid preprocessing option ${field}: ${JSON.stringify(actual)}`);
  }
}

interface Decoded {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

async function decode(bytes: Uint8Array, channels: 1 | 3): Promise<Decoded> {
  if (channels === 1) {
    const gray = decodeGrayPng(bytes);
    if (gray !== null) return { ...gray, channels: 1 };
  }
  try {
    const { default: sharp } = await import('sharp'); // loaded on first use: grayscale PNGs never need it
    let pipeline = sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS }).rotate().flatten({ background: '#ffffff' });
    pipeline = channels === 1 ? pipeline.grayscale() : pipeline.toColourspace('srgb');
    const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== channels) throw new Error(`decoded to ${info.channels} channels, expected ${channels}`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels };
  } catch (error) {
    throw new InvalidImageError((error as Error).message, bytes.byteLength);
  }
}

/** Pads to a centred square with white (255); returns the input when already square. */
function padToSquare(image: Decoded): Decoded {
  const { width, height, channels } = image;
  if (width === height) return image;
  const side = Math.max(width, height);
  const data = new Uint8Array(side * side * channels).fill(255);
  const left = Math.floor((side - width) / 2);
  const top = Math.floor((side - height) / 2);
  for (let y = 0; y < height; y++) {
    data.set(image.data.subarray(y * width * channels, (y + 1) * width * channels), ((top + y) * side + left) * channels);
  }
  return { data, width: side, height: side, channels };
}

export function checkPreprocessOptions(options: PreprocessOptions): void {
  if (!Number.isSafeInteger(options.size) || options.size < 1 || options.size > 1024) throw new PreprocessOptionsError('size', options.size);
  if (options.channels !== 1 && options.channels !== 3) throw new PreprocessOptionsError('channels', options.channels);
  const n = options.normalisation;
  if (n !== undefined && (!Number.isFinite(n.mean) || !(n.std > 0) || !Number.isFinite(n.std))) throw new PreprocessOptionsError('normalisation', n);
}

/** Image bytes → Float32Array [size, size, channels] ready for the network. */
export async function preprocessImage(bytes: Uint8Array, options: PreprocessOptions): Promise<Float32Array> {
  checkPreprocessOptions(options);
  const image = padToSquare(await decode(bytes, options.channels));
  const resized = areaResize(image.data, image.width, image.height, image.channels, options.size, options.size);
  const { mean, std } = options.normalisation ?? { mean: 0, std: 1 };
  const out = new Float32Array(resized.length);
  for (let i = 0; i < resized.length; i++) {
    const unit = resized[i]! / 255;
    out[i] = ((options.invert ? 1 - unit : unit) - mean) / std;
  }
  return out;
}
