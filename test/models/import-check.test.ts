/** Model import checks (src/api/routes/models/import-check.ts): the value scan runs in a worker thread. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkImport } from '../../src/api/routes/models/import-check.ts';
import { decodeSafetensors, encodeSafetensors } from '../../src/core/checkpoint/index.ts';
import { HttpError } from '../../src/shared/errors.ts';
import { testCheckpoint } from '../helpers/models.ts';

/** A copy that owns its ArrayBuffer, as a large request body does. */
const owned = (bytes: Uint8Array) => Buffer.from(new Uint8Array(bytes).buffer);

test('an owned body moves to the scan thread and back; a view into a shared buffer is copied there; a NaN or infinity is a 422', async () => {
  const good = await testCheckpoint();
  const body = owned(good);
  const checked = await checkImport(body);
  assert.equal(body.byteLength, 0, 'the body was transferred to the scan thread (detached here)');
  assert.deepEqual(new Uint8Array(checked), good, 'and came back whole');

  const shared = new Uint8Array(good.length + 8);
  shared.set(good, 8);
  const view = shared.subarray(8);
  assert.deepEqual(new Uint8Array(await checkImport(view)), good);
  assert.equal(view.byteLength, good.length, 'a view is not detached');

  const { tensors, metadata } = decodeSafetensors(good);
  const poisoned = new Map(tensors);
  const bias = tensors.get('block3.bn.bias')!;
  poisoned.set('block3.bn.bias', { ...bias, data: Float32Array.from(bias.data as Float32Array, (v, i) => (i === 2 ? Number.NEGATIVE_INFINITY : v)) });
  await assert.rejects(
    checkImport(owned(encodeSafetensors(poisoned, metadata))),
    (e) => e instanceof HttpError && e.statusCode === 422 && /block3\.bn\.bias has NaN or infinite/.test(e.message),
  );
});
