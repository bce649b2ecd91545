import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeSafetensors, encodeSafetensors, swapWords, type NamedTensor } from './safetensors.ts';
import {
  DataLengthError,
  HeaderOutOfBoundsError,
  HeaderTooLargeError,
  InvalidHeaderError,
  InvalidMetadataError,
  InvalidTensorEntryError,
  InvalidTensorNameError,
  TensorOffsetError,
  TensorSizeMismatchError,
  TruncatedFileError,
  UnsupportedDtypeError,
} from './errors.ts';

const bits = (t: NamedTensor) => [...new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length)];

/** A file assembled byte by byte: u64 LE header length, JSON header (space-padded), data. */
function handBuilt(header: string, data: number[], padTo = 8): Uint8Array {
  const json = Buffer.from(header, 'utf8');
  const padded = Buffer.concat([json, Buffer.alloc((padTo - (json.length % padTo)) % padTo, 0x20)]);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(padded.length));
  return new Uint8Array(Buffer.concat([length, padded, Buffer.from(data)]));
}

test('decodes a file laid out as safetensors.torch.save_file writes it', () => {
  // save_file({"weight": tensor([[1., 2.], [3., 4.]]), "bias": tensor([0.5, -1.]), "steps": tensor([7], dtype=int32)},
  //           metadata={"format": "pt"}): offsets in sorted order, header padded with spaces to 8 bytes.
  const header =
    '{"__metadata__":{"format":"pt"},"bias":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' +
    '"steps":{"dtype":"I32","shape":[1],"data_offsets":[8,12]},"weight":{"dtype":"F32","shape":[2,2],"data_offsets":[12,28]}}';
  const data = [
    0x00,
    0x00,
    0x00,
    0x3f,
    0x00,
    0x00,
    0x80,
    0xbf, // 0.5, -1
    0x07,
    0x00,
    0x00,
    0x00, // 7
    0x00,
    0x00,
    0x80,
    0x3f,
    0x00,
    0x00,
    0x00,
    0x40,
    0x00,
    0x00,
    0x40,
    0x40,
    0x00,
    0x00,
    0x80,
    0x40, // 1 2 3 4
  ];
  const { tensors, metadata } = decodeSafetensors(handBuilt(header, data));
  assert.deepEqual(metadata, { format: 'pt' });
  assert.deepEqual([...tensors.keys()], ['bias', 'steps', 'weight']);
  assert.deepEqual(tensors.get('weight'), { dtype: 'float32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) });
  assert.deepEqual(tensors.get('bias')!.data, new Float32Array([0.5, -1]));
  assert.deepEqual(tensors.get('steps'), { dtype: 'int32', shape: [1], data: new Int32Array([7]) });
});

test('encoding is byte-identical to the reference writer for the same input', () => {
  const tensors = new Map<string, NamedTensor>([
    ['weight', { dtype: 'float32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) }],
    ['bias', { dtype: 'float32', shape: [2], data: new Float32Array([0.5, -1]) }],
  ]);
  const header =
    '{"__metadata__":{"format":"pt"},"bias":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' +
    '"weight":{"dtype":"F32","shape":[2,2],"data_offsets":[8,24]}}';
  const data = [...new Uint8Array(new Float32Array([0.5, -1, 1, 2, 3, 4]).buffer)];
  assert.deepEqual(encodeSafetensors(tensors, { format: 'pt' }), handBuilt(header, data));
});

test('round trip is bit-exact: NaN payloads, −0, denormals, infinities, int32 extremes, empty and scalar tensors', () => {
  const raw = new Uint32Array([0x7fc00001, 0xffbfffff, 0x7f800001, 0x80000000, 0x00000001, 0x807fffff, 0x7f800000, 0x3f800000]);
  const tensors = new Map<string, NamedTensor>([
    ['odd', { dtype: 'float32', shape: [2, 4], data: new Float32Array(raw.buffer) }],
    ['ints', { dtype: 'int32', shape: [3], data: new Int32Array([-2147483648, 2147483647, -1]) }],
    ['empty', { dtype: 'float32', shape: [0, 3], data: new Float32Array(0) }],
    ['scalar', { dtype: 'float32', shape: [], data: new Float32Array([Math.PI]) }],
  ]);
  const decoded = decodeSafetensors(encodeSafetensors(tensors, { note: 'ünïcode ✓' }));
  assert.deepEqual(bits(decoded.tensors.get('odd')!), [...raw]);
  assert.deepEqual(decoded.tensors.get('ints'), tensors.get('ints'));
  assert.deepEqual(decoded.tensors.get('empty'), tensors.get('empty'));
  assert.deepEqual(decoded.tensors.get('scalar'), tensors.get('scalar'));
  assert.deepEqual(decoded.metadata, { note: 'ünïcode ✓' });
});

test('round trip holds for arbitrary tensors (property)', () => {
  const tensorArb = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }).chain((shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return fc.record({
      shape: fc.constant(shape),
      words: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: n, maxLength: n }),
      int: fc.boolean(),
    });
  });
  fc.assert(
    fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), tensorArb, { maxKeys: 5 }), (spec) => {
      const tensors = new Map<string, NamedTensor>();
      for (const [name, t] of Object.entries(spec)) {
        if (name === '__metadata__') continue;
        const buffer = new Uint32Array(t.words).buffer;
        tensors.set(
          name,
          t.int ? { dtype: 'int32', shape: t.shape, data: new Int32Array(buffer) } : { dtype: 'float32', shape: t.shape, data: new Float32Array(buffer) },
        );
      }
      const bytes = encodeSafetensors(tensors);
      assert.equal((bytes.length - Number(new DataView(bytes.buffer).getBigUint64(0, true)) - 8) % 4, 0);
      const decoded = decodeSafetensors(bytes).tensors;
      assert.equal(decoded.size, tensors.size);
      for (const [name, t] of tensors) {
        assert.deepEqual(decoded.get(name)!.shape, t.shape);
        assert.deepEqual(bits(decoded.get(name)!), bits(t));
      }
    }),
    { numRuns: 200 },
  );
});

test('header validation errors carry the actual values', () => {
  const entry = (offsets: string, shape = '[2]', dtype = 'F32') => `"a":{"dtype":"${dtype}","shape":${shape},"data_offsets":${offsets}}`;
  const eight = [1, 2, 3, 4, 5, 6, 7, 8];
  assert.throws(
    () => decodeSafetensors(new Uint8Array(5)),
    (e) => e instanceof TruncatedFileError && e.length === 5,
  );
  const huge = new Uint8Array(16);
  new DataView(huge.buffer).setBigUint64(0, 2n ** 40n, true);
  assert.throws(
    () => decodeSafetensors(huge),
    (e) => e instanceof HeaderTooLargeError && e.declared === 2n ** 40n,
  );
  new DataView(huge.buffer).setBigUint64(0, 100n, true);
  assert.throws(
    () => decodeSafetensors(huge),
    (e) => e instanceof HeaderOutOfBoundsError && e.declared === 100 && e.available === 8,
  );
  assert.throws(() => decodeSafetensors(handBuilt(' {}', [])), InvalidHeaderError);
  assert.throws(() => decodeSafetensors(handBuilt('{"a":', [])), InvalidHeaderError);
  assert.throws(() => decodeSafetensors(handBuilt('[]', [])), InvalidHeaderError);
  assert.throws(
    () => decodeSafetensors(handBuilt(`{${entry('[0,8]', '[2]', 'BF16')}}`, eight)),
    (e) => e instanceof UnsupportedDtypeError && e.dtype === 'BF16',
  );
  assert.throws(
    () => decodeSafetensors(handBuilt(`{${entry('[0,8]', '[3]')}}`, eight)),
    (e) => e instanceof TensorSizeMismatchError && e.expectedBytes === 12 && e.actualBytes === 8,
  );
  assert.throws(() => decodeSafetensors(handBuilt(`{${entry('[0,8]', '[-2]')}}`, eight)), InvalidTensorEntryError);
  assert.throws(() => decodeSafetensors(handBuilt(`{${entry('[8,0]')}}`, eight)), InvalidTensorEntryError);
  assert.throws(
    () => decodeSafetensors(handBuilt(`{${entry('[4,12]')}}`, [...eight, ...eight])),
    (e) => e instanceof TensorOffsetError && e.actualBegin === 4,
  );
  const overlap = `{${entry('[0,8]')},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`;
  assert.throws(
    () => decodeSafetensors(handBuilt(overlap, [...eight, 9, 10, 11, 12])),
    (e) => e instanceof TensorOffsetError && e.tensor === 'b' && e.expectedBegin === 8,
  );
  assert.throws(
    () => decodeSafetensors(handBuilt(`{${entry('[0,8]')}}`, [...eight, 0, 0, 0, 0])),
    (e) => e instanceof DataLengthError && e.expected === 8 && e.actual === 12,
  );
  assert.throws(() => decodeSafetensors(handBuilt(`{${entry('[0,8]')}}`, [1, 2, 3])), DataLengthError);
  assert.throws(
    () => decodeSafetensors(handBuilt('{"__metadata__":{"x":1}}', [])),
    (e) => e instanceof InvalidMetadataError && e.key === 'x',
  );
  assert.throws(() => decodeSafetensors(handBuilt('{"__metadata__":{}}', []), { maxHeaderBytes: 8 }), HeaderTooLargeError);
  assert.deepEqual(decodeSafetensors(handBuilt('{}', [])).tensors.size, 0);
});

test('encoding refuses inconsistent tensors', () => {
  const one = (t: NamedTensor, name = 'x') => encodeSafetensors(new Map([[name, t]]));
  assert.throws(
    () => one({ dtype: 'float32', shape: [3], data: new Float32Array(2) }),
    (e) => e instanceof TensorSizeMismatchError && e.actualBytes === 8,
  );
  assert.throws(() => one({ dtype: 'int32', shape: [2], data: new Float32Array(2) }), InvalidTensorEntryError);
  assert.throws(() => one({ dtype: 'float32', shape: [1], data: new Float32Array(1) }, '__metadata__'), InvalidTensorNameError);
  assert.throws(() => one({ dtype: 'float64' as 'float32', shape: [1], data: new Float32Array(1) }), UnsupportedDtypeError);
});

test('swapWords reverses each 4-byte word (big-endian hosts)', () => {
  assert.deepEqual([...swapWords(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))], [4, 3, 2, 1, 8, 7, 6, 5]);
});

test('decodes from a Node Buffer that is a view into a larger buffer (tensor data gets its own memory)', () => {
  const file = encodeSafetensors(new Map([['w', { dtype: 'float32', shape: [3], data: new Float32Array([1.5, -2, 3]) }]]));
  const pooled = Buffer.alloc(file.length + 64, 7);
  file.forEach((byte, i) => (pooled[32 + i] = byte));
  const view = pooled.subarray(32, 32 + file.length);
  const { tensors } = decodeSafetensors(view);
  const w = tensors.get('w')!;
  assert.deepEqual([...w.data], [1.5, -2, 3]);
  assert.equal(w.data.buffer.byteLength, 12);
});
