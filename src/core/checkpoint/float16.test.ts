import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromFloat16, fromFloat16Bits, toFloat16, toFloat16Bits } from './float16.ts';

test('exact half values and special cases convert both ways', () => {
  const cases: [number, number][] = [
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [65504, 0x7bff],
    [2 ** -14, 0x0400],
    [2 ** -24, 0x0001],
    [Infinity, 0x7c00],
    [-Infinity, 0xfc00],
    [1e6, 0x7c00],
  ];
  for (const [value, bits] of cases) {
    assert.equal(toFloat16Bits(value), bits, `${value}`);
    assert.ok(Object.is(fromFloat16Bits(bits), value > 65504 ? Infinity : value), `${bits}`);
  }
  assert.ok(Number.isNaN(fromFloat16Bits(toFloat16Bits(Number.NaN))));
});

test('rounds to nearest, ties to even, and stays within half an ulp', () => {
  assert.equal(toFloat16Bits(1 + 2 ** -11), 0x3c00); // tie → even (down)
  assert.equal(toFloat16Bits(1 + 3 * 2 ** -11), 0x3c02); // tie → even (up)
  assert.equal(toFloat16Bits(2 ** -25), 0x0000); // tie at the smallest subnormal → even (zero)
  const values = Float32Array.from({ length: 10_000 }, (_, i) => Math.sin(i) * 10 ** ((i % 9) - 4));
  const back = fromFloat16(toFloat16(values));
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const ulp = Math.abs(v) < 2 ** -14 ? 2 ** -24 : 2 ** (Math.floor(Math.log2(Math.abs(v))) - 10);
    assert.ok(Math.abs(back[i]! - v) <= ulp / 2 + 1e-12, `${v} → ${back[i]}`);
  }
});
