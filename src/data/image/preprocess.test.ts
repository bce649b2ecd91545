import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { areaResize } from './area-resize.ts';
import { decodeGrayPng } from './png-gray.ts';
import { checkImageSize, ImageTooLargeError, InvalidImageError, preprocessImage, PreprocessOptionsError } from './preprocess.ts';
import { encodeGrayPng } from '../testing/png.ts';

const OMNIGLOT = '/work/shared/data/omniglot';
const omniglotThere = await readdir(OMNIGLOT).then(
  () => true,
  () => false,
);

async function sharpGray(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await sharp(bytes).flatten({ background: '#ffffff' }).grayscale().raw({ depth: 'uchar' }).toBuffer());
}

test('area resize averages covered areas exactly and keeps constants constant', () => {
  assert.deepEqual([...areaResize([1, 3, 5, 7, 1, 3, 5, 7, 0, 0, 8, 8, 0, 0, 8, 8], 4, 4, 1, 2, 2)], [2, 6, 0, 8]);
  // 3 → 2: output 0 covers pixel 0 and half of pixel 1 (weights 2/3, 1/3)
  const row = areaResize([3, 6, 9], 3, 1, 1, 2, 1);
  assert.ok(Math.abs(row[0]! - (3 * 2 + 6) / 3) < 1e-12 && Math.abs(row[1]! - (6 + 9 * 2) / 3) < 1e-12);
  const constant = areaResize(new Array(105 * 105 * 3).fill(200), 105, 105, 3, 28, 28);
  assert.ok(constant.every((v) => Math.abs(v - 200) < 1e-9));
  const random = Array.from({ length: 105 * 105 }, (_, i) => (i * 7919) % 256);
  const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(Math.abs(mean(areaResize(random, 105, 105, 1, 28, 28)) - mean(random)) < 1e-9, 'ink mass is preserved');
  assert.deepEqual([...areaResize([10, 20], 2, 1, 1, 4, 1)], [10, 10, 20, 20], 'upscaling repeats pixels');
});

test('the PNG fast path decodes every bit depth and filter type exactly as sharp does', async () => {
  for (const depth of [1, 2, 4, 8] as const) {
    const [w, h] = [13, 11];
    const levels = Array.from({ length: w * h }, (_, i) => (i * 37 + (i >> 3)) % (1 << depth));
    const png = encodeGrayPng(w, h, depth, levels, [0, 1, 2, 3, 4], [['tEXt', new TextEncoder().encode('Comment\0test')]]);
    const fast = decodeGrayPng(png);
    assert.ok(fast, `depth ${depth} takes the fast path`);
    assert.deepEqual(fast.data, await sharpGray(png), `depth ${depth}`);
  }
  const withTrns = encodeGrayPng(4, 4, 8, new Array(16).fill(9), [0], [['tRNS', new Uint8Array([0, 9])]]);
  assert.equal(decodeGrayPng(withTrns), null, 'transparency goes through sharp');
  const corrupt = encodeGrayPng(4, 4, 8, new Array(16).fill(9));
  corrupt[corrupt.length - 20]! ^= 0xff;
  assert.equal(decodeGrayPng(corrupt), null);
});

test('transparent pixels become white paper, so 0 after inversion', async () => {
  const png = await sharp({ create: { width: 8, height: 8, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .png()
    .toBuffer();
  const out = await preprocessImage(png, { size: 4, channels: 1, invert: true });
  assert.deepEqual([...out], new Array(16).fill(0));
  const rgb = await preprocessImage(png, { size: 4, channels: 3, invert: false });
  assert.equal(rgb.length, 48);
  assert.ok(rgb.every((v) => v === 1));
});

test('JPEG and WebP uploads of any size and aspect reach the same geometry', async () => {
  // 60×30 white image with a black 10×10 square at (25..35, 10..20), then padded to 60×60
  const pixels = new Uint8Array(60 * 30).fill(255);
  for (let y = 10; y < 20; y++) for (let x = 25; x < 35; x++) pixels[y * 60 + x] = 0;
  const raw = sharp(pixels, { raw: { width: 60, height: 30, channels: 1 } });
  for (const bytes of [await raw.clone().jpeg({ quality: 100 }).toBuffer(), await raw.clone().webp({ lossless: true }).toBuffer()]) {
    const out = await preprocessImage(bytes, { size: 6, channels: 1, invert: true });
    assert.equal(out.length, 36);
    // padded to 60×60 (15 white rows above), the square spans rows/cols 25..35; 60 → 6 makes each
    // output pixel a 10×10 block, so the four centre pixels each hold a quarter of the square
    const at = (r: number, c: number) => out[r * 6 + c]!;
    for (const [r, c] of [
      [2, 2],
      [2, 3],
      [3, 2],
      [3, 3],
    ] as const)
      assert.ok(Math.abs(at(r, c) - 0.25) < 0.03, `(${r},${c}) = ${at(r, c)}`);
    assert.ok(Math.abs(out.reduce((a, b) => a + b, 0) - 1) < 0.05, 'total ink = 100 px / 100 px per output pixel');
  }
});

test('normalisation and option checks', async () => {
  const png = encodeGrayPng(2, 2, 8, [0, 255, 255, 255]);
  assert.deepEqual([...(await preprocessImage(png, { size: 2, channels: 1, invert: true }))], [1, 0, 0, 0]);
  assert.deepEqual([...(await preprocessImage(png, { size: 2, channels: 1, invert: true, normalisation: { mean: 0.5, std: 0.5 } }))], [1, -1, -1, -1]);
  assert.deepEqual([...(await preprocessImage(png, { size: 2, channels: 1, invert: false }))], [0, 1, 1, 1]);
  await assert.rejects(
    preprocessImage(new Uint8Array([1, 2, 3]), { size: 28, channels: 1, invert: true }),
    (e) => e instanceof InvalidImageError && e.byteLength === 3,
  );
  await assert.rejects(preprocessImage(png, { size: 0, channels: 1, invert: true }), (e) => e instanceof PreprocessOptionsError && e.field === 'size');
  await assert.rejects(preprocessImage(png, { size: 2, channels: 2 as 1, invert: true }), PreprocessOptionsError);
});

test('real Omniglot PNGs: fast path equals sharp, ink is high after inversion', { skip: !omniglotThere && 'no Omniglot copy here' }, async () => {
  const dir = path.join(OMNIGLOT, 'images_background', 'Greek', 'character01');
  const files = (await readdir(dir)).sort().slice(0, 5);
  for (const file of files) {
    const bytes = new Uint8Array(await readFile(path.join(dir, file)));
    const fast = decodeGrayPng(bytes);
    assert.ok(fast && fast.width === 105 && fast.height === 105);
    assert.deepEqual(fast.data, await sharpGray(bytes));
    const out = await preprocessImage(bytes, { size: 28, channels: 1, invert: true });
    const ink = out.reduce((a, b) => a + b, 0) / out.length;
    const inkSource = fast.data.reduce((a, b) => a + (b === 0 ? 1 : 0), 0) / fast.data.length;
    assert.ok(Math.abs(ink - inkSource) < 1e-5, `ink fraction kept: ${ink} vs ${inkSource}`);
    assert.ok(out.every((v) => v >= 0 && v <= 1));
  }
});

test('checkImageSize reads a PNG header as sharp does, refuses what is too large, and leaves other formats and damaged files to sharp', async () => {
  const png = encodeGrayPng(13, 11, 8, new Array(13 * 11).fill(7), [0], []);
  const jpeg = await sharp({ create: { width: 9, height: 5, channels: 3, background: '#808080' } })
    .jpeg()
    .toBuffer();
  for (const bytes of [png, new Uint8Array(jpeg)]) {
    const metadata = await sharp(bytes).metadata();
    assert.deepEqual(await checkImageSize(bytes, 1_000), { width: metadata.width, height: metadata.height });
  }
  await assert.rejects(checkImageSize(png, 13 * 11 - 1), ImageTooLargeError);
  await assert.rejects(checkImageSize(png.subarray(0, 20), 1_000), InvalidImageError); // a cut IHDR: not read here, and sharp refuses it
});
