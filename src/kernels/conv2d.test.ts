import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { assertMatches, compareKernels, nativeCalls, skipReason, tf, useWasmWithFastKernels } from './test-support.ts';

before(async () => {
  if (!skipReason) await useWasmWithFastKernels();
});

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

const convCase = fc.record({
  batch: fc.integer({ min: 1, max: 3 }),
  height: fc.integer({ min: 1, max: 9 }),
  width: fc.integer({ min: 1, max: 9 }),
  inChannels: fc.integer({ min: 1, max: 9 }),
  outChannels: fc.integer({ min: 1, max: 40 }),
  filterH: fc.integer({ min: 1, max: 3 }),
  filterW: fc.integer({ min: 1, max: 3 }),
  stride: fc.constantFrom<[number, number]>([1, 1], [2, 2], [1, 2], [2, 1], [3, 2]),
  dilate: fc.boolean(),
  pad: fc.oneof(
    fc.constantFrom<Pad>('same', 'valid'),
    fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)).map(
      ([t, b, l, r]): Pad => [
        [0, 0],
        [t, b],
        [l, r],
        [0, 0],
      ],
    ),
  ),
  seed: fc.nat(1000),
});
type ConvCase = typeof convCase extends fc.Arbitrary<infer T> ? T : never;

/** The case's conv, or undefined when tfjs rejects the geometry (empty output, stride with dilation). */
type FusedActivation = 'linear' | 'relu' | 'relu6' | 'leakyrelu' | 'prelu' | 'sigmoid' | 'elu';
const ACTIVATIONS: FusedActivation[] = ['linear', 'relu', 'relu6', 'leakyrelu', 'prelu', 'sigmoid', 'elu'];

function conv(c: ConvCase, fused?: { activation: FusedActivation; bias: 'none' | 'vector' | 'scalar' }) {
  const dilations: [number, number] = c.dilate && c.stride[0] === 1 && c.stride[1] === 1 ? [2, 2] : [1, 1];
  const effH = (c.filterH - 1) * dilations[0] + 1,
    effW = (c.filterW - 1) * dilations[1] + 1;
  const padH = typeof c.pad === 'string' ? (c.pad === 'same' ? effH : 0) : c.pad[1][0] + c.pad[1][1] + 1;
  const padW = typeof c.pad === 'string' ? (c.pad === 'same' ? effW : 0) : c.pad[2][0] + c.pad[2][1] + 1;
  if (c.height + padH <= effH || c.width + padW <= effW) return undefined;
  return () => {
    const x = tf.randomUniform([c.batch, c.height, c.width, c.inChannels], -1, 1, 'float32', c.seed) as tf.Tensor4D;
    const w = tf.randomUniform([c.filterH, c.filterW, c.inChannels, c.outChannels], -1, 1, 'float32', c.seed + 1) as tf.Tensor4D;
    if (!fused) return tf.conv2d(x, w, c.stride, c.pad, 'NHWC', dilations);
    const bias = fused.bias === 'none' ? undefined : tf.randomUniform(fused.bias === 'vector' ? [c.outChannels] : [1], -1, 1, 'float32', c.seed + 2);
    const preluActivationWeights = fused.activation === 'prelu' ? tf.randomUniform([c.outChannels], 0, 1, 'float32', c.seed + 3) : undefined;
    return tf.fused.conv2d({
      x,
      filter: w,
      strides: c.stride,
      pad: c.pad,
      dilations,
      bias,
      activation: fused.activation,
      preluActivationWeights,
      leakyreluAlpha: 0.3,
    });
  };
}

// Against the cpu backend only: the stock wasm kernel (XNNPACK) returns zeros for 'same' padding
// when the input is smaller than the filter along an axis (8×1 input, 1×2 filter, stride 2).
test('Conv2D: native matches the cpu reference on random NHWC geometries', { skip: skipReason }, async () => {
  await fc.assert(
    fc.asyncProperty(convCase, async (c) => {
      const op = conv(c);
      if (op) assertMatches(await compareKernels(op, { stock: false }), `conv ${JSON.stringify(c)}`);
    }),
    { numRuns: 60, seed: 4242 },
  );
});

test('Conv2D: 1–4 output channels from ≥ 16 input channels (the narrow dot-product path)', { skip: skipReason }, async () => {
  const narrow = convCase.map((c) => ({ ...c, inChannels: 16 + c.inChannels * 6, outChannels: 1 + (c.outChannels % 4) }));
  await fc.assert(
    fc.asyncProperty(narrow, async (c) => {
      const op = conv(c);
      if (op) assertMatches(await compareKernels(op, { stock: false }), `narrow conv ${JSON.stringify(c)}`);
    }),
    { numRuns: 25, seed: 77 },
  );
});

test('Conv2D: the Conv4 shapes (3×3 same, 64→64, stride 1 and 2; 1→64 input layer)', { skip: skipReason }, async () => {
  // The last two: the first layer's input gradient (64 → 1 channel, the narrow path).
  for (const [n, hw, cin, stride, cout] of [
    [5, 28, 1, 1, 64],
    [5, 14, 64, 1, 64],
    [5, 28, 64, 2, 64],
    [2, 7, 64, 1, 64],
    [5, 28, 64, 1, 1],
    [5, 28, 64, 1, 3],
  ] as const) {
    const c: ConvCase = {
      batch: n,
      height: hw,
      width: hw,
      inChannels: cin,
      outChannels: cout,
      filterH: 3,
      filterW: 3,
      stride: [stride, stride],
      dilate: false,
      pad: 'same',
      seed: 7,
    };
    assertMatches(await compareKernels(conv(c)!), `conv4 ${n}×${hw}×${hw}×${cin}→${cout} stride ${stride}`);
  }
});

test('FusedConv2D: bias (vector, scalar) and every fused activation run natively', { skip: skipReason }, async () => {
  const c: ConvCase = {
    batch: 2,
    height: 6,
    width: 5,
    inChannels: 3,
    outChannels: 35,
    filterH: 3,
    filterW: 3,
    stride: [1, 1],
    dilate: false,
    pad: 'same',
    seed: 11,
  };
  for (const activation of ACTIVATIONS) {
    for (const bias of ['none', 'vector', 'scalar'] as const) {
      // The stock wasm kernel rejects a scalar bias; the cpu backend broadcasts it.
      const result = await compareKernels(conv(c, { activation, bias })!, { stock: bias !== 'scalar' });
      assertMatches(result, `fused conv ${activation} bias ${bias}`);
    }
  }
});

test('FusedConv2D: a bias that is not per channel is handed to the stock kernel (which rejects it)', { skip: skipReason }, () => {
  const before = nativeCalls.conv2d;
  const x = tf.ones([1, 4, 4, 2]) as tf.Tensor4D,
    filter = tf.ones([3, 3, 2, 3]) as tf.Tensor4D;
  assert.throws(() => tf.fused.conv2d({ x, filter, strides: 1, pad: 'same', bias: tf.ones([4, 1, 3]) }), /bias/i);
  assert.equal(nativeCalls.conv2d, before);
  tf.dispose([x, filter]);
});
