import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DatasetFormatError } from './errors.ts';
import { decodeDataset, encodeDataset, type DatasetHeader } from './format.ts';

const header: DatasetHeader = {
  layout: 'folders',
  height: 3,
  width: 3,
  channels: 1,
  preprocessing: { size: 3, channels: 1, invert: true, resize: 'area', normalisation: { mean: 0, std: 1 } },
  classes: [
    { name: 'ä/b', count: 2 },
    { name: 'c', count: 1 },
  ],
};
const images = Float32Array.from({ length: 27 }, (_, i) => i / 7 - 1);

test('round trip: header and pixels come back exactly, pixel data 4-byte aligned', () => {
  const bytes = encodeDataset(header, images);
  const decoded = decodeDataset(bytes);
  assert.deepEqual(decoded.header, header);
  assert.deepEqual(decoded.images, images);
  // from an unaligned view too (a copy is made)
  const shifted = new Uint8Array(bytes.length + 1);
  shifted.set(bytes, 1);
  assert.deepEqual(decodeDataset(shifted.subarray(1)).images, images);
  assert.deepEqual(encodeDataset(header, images), bytes, 'deterministic: same content, same bytes, same sha256');
});

test('corrupt files are refused with the reason', () => {
  const bytes = encodeDataset(header, images);
  const cases: [Uint8Array, RegExp][] = [
    [Buffer.from(`NOTADSET${'\0'.repeat(20)}`), /magic/],
    [bytes.subarray(0, bytes.length - 4), /data bytes/],
    [Buffer.concat([bytes, Buffer.alloc(4)]), /data bytes/],
    [
      (() => {
        const b = Buffer.from(bytes);
        b.writeUInt32LE(99, 8);
        return b;
      })(),
      /version 99/,
    ],
    [
      (() => {
        const b = Buffer.from(bytes);
        b.writeUInt32LE(1e6, 12);
        return b;
      })(),
      /past the end/,
    ],
  ];
  for (const [input, reason] of cases)
    assert.throws(
      () => decodeDataset(input),
      (e: unknown) => e instanceof DatasetFormatError && reason.test(e.message),
    );
  assert.throws(() => encodeDataset(header, images.subarray(1)), DatasetFormatError);
});
