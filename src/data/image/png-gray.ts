/**
 * A fast path for the commonest training input: a non-interlaced grayscale PNG (colour type 0,
 * bit depth 1/2/4/8) with no chunk that changes colours (no tRNS, gAMA, iCCP, sRGB, sBIT, cHRM).
 * One libvips pipeline costs ~1 ms of CPU even for a 105×105 Omniglot image, this ~20 µs, and the
 * result is identical to sharp's (PNG is lossless; low bit depths scale to 0..255 the same way).
 * Anything else — or anything unusual — returns null and goes through sharp. pngSize reads any
 * PNG's dimensions from its header (the size checks before decoding).
 */
import { inflateSync } from 'node:zlib';

export interface GrayImage {
  readonly width: number;
  readonly height: number;
  /** 8-bit gray, row-major, width·height bytes. */
  readonly data: Uint8Array;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Ancillary chunks that do not affect pixel values. */
const HARMLESS = new Set(['tIME', 'tEXt', 'zTXt', 'iTXt', 'pHYs', 'bKGD', 'hIST', 'sPLT']); // not eXIf: it may rotate
const MAX_PIXELS = 1 << 24;

/**
 * A PNG's width and height from its IHDR chunk, which the format requires first (bytes 8–28:
 * length 13, "IHDR", width, height): no decoding. Null when the bytes do not start that way.
 */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.byteLength < 24 || SIGNATURE.some((b, i) => bytes[i] !== b)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(8) !== 13 || view.getUint32(12) !== 0x49484452) return null;
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a),
    pb = Math.abs(p - b),
    pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Reverses the per-row filters in place (1 byte per pixel-group for gray ≤ 8 bits). */
function unfilter(raw: Uint8Array, rowBytes: number, height: number): Uint8Array | null {
  const out = new Uint8Array(rowBytes * height);
  for (let y = 0; y < height; y++) {
    const type = raw[y * (rowBytes + 1)]!;
    const src = y * (rowBytes + 1) + 1;
    const row = y * rowBytes;
    for (let x = 0; x < rowBytes; x++) {
      const a = x > 0 ? out[row + x - 1]! : 0;
      const b = y > 0 ? out[row - rowBytes + x]! : 0;
      const c = x > 0 && y > 0 ? out[row - rowBytes + x - 1]! : 0;
      const value = raw[src + x]!;
      let predicted: number;
      if (type === 0) predicted = 0;
      else if (type === 1) predicted = a;
      else if (type === 2) predicted = b;
      else if (type === 3) predicted = (a + b) >>> 1;
      else if (type === 4) predicted = paeth(a, b, c);
      else return null;
      out[row + x] = (value + predicted) & 0xff;
    }
  }
  return out;
}

export function decodeGrayPng(bytes: Uint8Array): GrayImage | null {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0,
    height = 0,
    depth = 0,
    sawEnd = false;
  const idat: Uint8Array[] = [];
  for (let at = 8; at < bytes.length && !sawEnd; ) {
    if (at + 12 > bytes.length) return null;
    const length = view.getUint32(at);
    if (at + 12 + length > bytes.length) return null;
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== view.getUint32(at + 8 + length)) return null;
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      if (length !== 13 || at !== 8) return null;
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      depth = body[8]!;
      const [colour, compression, filter, interlace] = [body[9], body[10], body[11], body[12]];
      if (colour !== 0 || compression !== 0 || filter !== 0 || interlace !== 0 || ![1, 2, 4, 8].includes(depth)) return null;
      if (width === 0 || height === 0 || width * height > MAX_PIXELS) return null;
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') sawEnd = true;
    else if (!HARMLESS.has(type)) return null;
    at += 12 + length;
  }
  if (!sawEnd || width === 0 || idat.length === 0) return null;
  const rowBytes = Math.ceil((width * depth) / 8);
  let raw: Uint8Array;
  try {
    // Bounded by what the header declares: a stream that inflates further (a bomb) is refused.
    raw = inflateSync(Buffer.concat(idat), { maxOutputLength: (rowBytes + 1) * height });
  } catch {
    return null;
  }
  if (raw.length !== (rowBytes + 1) * height) return null;
  const packed = unfilter(raw, rowBytes, height);
  if (packed === null) return null;
  if (depth === 8) return { width, height, data: packed };
  const data = new Uint8Array(width * height);
  const max = (1 << depth) - 1;
  const level = Uint8Array.from({ length: max + 1 }, (_, v) => Math.round((v * 255) / max));
  for (let y = 0; y < height; y++) {
    let x = 0;
    for (let i = y * rowBytes, end = i + rowBytes, out = y * width; i < end; i++) {
      const byte = packed[i]!;
      for (let shift = 8 - depth; shift >= 0 && x < width; shift -= depth, x++) data[out + x] = level[(byte >>> shift) & max]!;
    }
  }
  return { width, height, data };
}
