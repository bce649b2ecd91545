import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uuid7, uuid7Floor } from './uuid7.ts';

test('uuid7: version and variant bits, and byte order follows time', () => {
  const id = uuid7(Date.UTC(2026, 10, 28));
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(id.slice(0, 13), uuid7Floor(Date.UTC(2026, 10, 28)).slice(0, 13));
  const times = [0, 1, 255, 256, 1_700_000_000_000, Date.UTC(2026, 10, 28), 2 ** 48 - 1];
  const ids = times.map((t) => uuid7(t));
  assert.deepEqual([...ids].sort(), ids, 'sorts as text (and so bytewise) in time order');
  for (let i = 1; i < times.length; i++) assert.ok(uuid7Floor(times[i]!) > ids[i - 1]!, `floor(${times[i]}) above anything earlier`);
});
