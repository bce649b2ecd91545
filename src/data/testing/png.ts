/** Test helper: a minimal grayscale PNG writer (any bit depth 1/2/4/8, chosen filter per row). */
import { crc32, deflateSync } from 'node:zlib';

function chunk(type: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])) >>> 0);
  return Buffer.concat([head, body, crc]);
}

/** `levels` are gray levels 0..2^depth−1, row-major; `filters[y % filters.length]` filters row y. */
export function encodeGrayPng(
  width: number,
  height: number,
  depth: 1 | 2 | 4 | 8,
  levels: ArrayLike<number>,
  filters: readonly number[] = [0],
  extraChunks: [string, Uint8Array][] = [],
): Uint8Array {
  const rowBytes = Math.ceil((width * depth) / 8);
  const rows: Uint8Array[] = [];
  let previous = new Uint8Array(rowBytes);
  for (let y = 0; y < height; y++) {
    const packed = new Uint8Array(rowBytes);
    for (let x = 0; x < width; x++) {
      const shift = 8 - depth * ((x % (8 / depth)) + 1);
      packed[Math.floor((x * depth) / 8)]! |= (levels[y * width + x]! & ((1 << depth) - 1)) << shift;
    }
    const type = filters[y % filters.length]!;
    const out = new Uint8Array(rowBytes + 1);
    out[0] = type;
    for (let i = 0; i < rowBytes; i++) {
      const a = i > 0 ? packed[i - 1]! : 0,
        b = previous[i]!,
        c = i > 0 ? previous[i - 1]! : 0;
      const p = a + b - c;
      const pa = Math.abs(p - a),
        pb = Math.abs(p - b),
        pc = Math.abs(p - c);
      const paeth = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      const predicted = [0, a, b, (a + b) >>> 1, paeth][type]!;
      out[i + 1] = (packed[i]! - predicted) & 0xff;
    }
    rows.push(out);
    previous = packed;
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = depth; // colour type 0, compression 0, filter 0, interlace 0
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      ...extraChunks.map(([type, body]) => chunk(type, body)),
      chunk('IDAT', deflateSync(Buffer.concat(rows))),
      chunk('IEND', new Uint8Array(0)),
    ]),
  );
}
