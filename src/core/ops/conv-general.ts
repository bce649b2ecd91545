import * as tf from '../tf.ts';
import { type AxisGeometry, type ConvGeometry, filterGradGeometry, inputGradGeometry, outputLength, swappedInputGradGeometry } from './conv-geometry.ts';
import { UnsupportedConvGeometryError } from './errors.ts';

/**
 * NHWC convolution of x [N,H,W,C] with w [KH,KW,C,O] under any stride / dilation / padding
 * (negative padding crops), differentiable to any order on every backend: both gradients are
 * again `convGeneral` calls (input gradient: zero-inserted dy ⋆ flipped filter; filter gradient:
 * channel-major x ⋆ dy as the filter), so no backprop kernels are needed and the tape stays
 * linked for higher orders (the gradient reads the saved inputs, which tfjs keeps linked).
 *
 * It runs as the kernel `CoreConvGeneral`, a thin alias that calls whatever `Conv2D` kernel the
 * backend has registered at call time (faster registered kernels are picked up), so that tfjs
 * evaluates each input's gradient lazily: e.g. no input gradient is computed for the images.
 */
export function convGeneral(x: tf.Tensor4D, w: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const strides: [number, number] = [g.h.stride, g.w.stride];
  const dilations: [number, number] = [g.h.dilation, g.w.dilation];
  if (!(strides.every((s) => s === 1) || dilations.every((d) => d === 1))) {
    throw new UnsupportedConvGeometryError(strides, dilations);
  }
  ensureKernel(tf.getBackend());
  const pad = [
    [0, 0],
    [Math.max(g.h.padBefore, 0), Math.max(g.h.padAfter, 0)],
    [Math.max(g.w.padBefore, 0), Math.max(g.w.padAfter, 0)],
    [0, 0],
  ];
  return tf.engine().runKernel<tf.Tensor4D>(KERNEL_NAME, { x: cropNegativePads(x, g), filter: w }, { strides, dilations, pad });
}

const KERNEL_NAME = 'CoreConvGeneral';

function ensureKernel(backendName: string): void {
  if (tf.getKernel(KERNEL_NAME, backendName) !== undefined) return;
  tf.registerKernel({
    kernelName: KERNEL_NAME,
    backendName,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const conv = tf.getKernel('Conv2D', backendName);
      if (conv === undefined) throw new Error(`backend '${backendName}' has no Conv2D kernel`);
      return conv.kernelFunc({ inputs, backend, attrs: { ...attrs, dataFormat: 'NHWC' } });
    },
  });
}

tf.registerGradient({
  kernelName: KERNEL_NAME,
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const [x, w] = saved as [tf.Tensor4D, tf.Tensor4D];
    const g = geometryOf(attrs);
    return {
      x: () => inputGrad(dy as tf.Tensor4D, x.shape, w, g),
      filter: () => filterGrad(x, dy as tf.Tensor4D, w.shape, g),
    };
  },
});

/** The (non-negative-padded) geometry the kernel ran with, from its attributes. */
function geometryOf(attrs: tf.NamedAttrMap): ConvGeometry {
  const [sh, sw] = attrs['strides'] as number[];
  const [dh, dw] = attrs['dilations'] as number[];
  const pad = attrs['pad'] as number[][];
  const axis = (stride: number, dilation: number, p: number[]): AxisGeometry => ({ stride, dilation, padBefore: p[0]!, padAfter: p[1]! });
  return { h: axis(sh!, dh!, pad[1]!), w: axis(sw!, dw!, pad[2]!) };
}

function cropNegativePads(x: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const top = Math.max(-g.h.padBefore, 0);
  const bottom = Math.max(-g.h.padAfter, 0);
  const left = Math.max(-g.w.padBefore, 0);
  const right = Math.max(-g.w.padAfter, 0);
  if (top + bottom + left + right === 0) return x;
  return tf.slice(x, [0, top, left, 0], [n, h - top - bottom, w - left - right, c]);
}

/**
 * dL/dx: dy zero-inserted by the stride, correlated with the flipped, in/out-swapped filter; or,
 * when dy is spatially smaller than the filter (higher-order terms), the filter correlated with
 * the flipped dy, which has fewer taps (the sum is the same, the work ~taps).
 */
function inputGrad(dy: tf.Tensor4D, xShape: readonly number[], w: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const [kh, kw] = w.shape;
  if (dy.shape[1] * dy.shape[2] < kh * kw) return swappedInputGrad(dy, xShape, w, g);
  const flipped = tf.transpose(flipTaps(w), [0, 1, 3, 2]);
  const geometry: ConvGeometry = {
    h: inputGradGeometry(xShape[1]!, kh, g.h),
    w: inputGradGeometry(xShape[2]!, kw, g.w),
  };
  return convGeneral(zeroInsert(dy, g.h.stride, g.w.stride), flipped, geometry);
}

/** dL/dx as w [C,KH,KW,O] (dilation zero-inserted) ⋆ flipped dy [Ho,Wo,O,N] → [C,H,W,N] → NHWC. */
function swappedInputGrad(dy: tf.Tensor4D, xShape: readonly number[], w: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const [kh, kw] = w.shape;
  const geometry: ConvGeometry = {
    h: swappedInputGradGeometry(xShape[1]!, kh, g.h),
    w: swappedInputGradGeometry(xShape[2]!, kw, g.w),
  };
  const image = zeroInsert(tf.transpose(w, [2, 0, 1, 3]), g.h.dilation, g.w.dilation);
  const filter = flipTaps(tf.transpose(dy, [1, 2, 3, 0]));
  return tf.transpose(convGeneral(image, filter, geometry), [3, 1, 2, 0]);
}

/** dL/dw: x as [C,H,W,N] (batch becomes the contracted channel), dy as a [Ho,Wo,N,O] filter. */
function filterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, wShape: readonly number[], g: ConvGeometry): tf.Tensor4D {
  const [kh, kw] = wShape;
  const geometry: ConvGeometry = {
    h: filterGradGeometry(x.shape[1], kh!, g.h),
    w: filterGradGeometry(x.shape[2], kw!, g.w),
  };
  const channelMajor = tf.transpose(x, [3, 1, 2, 0]);
  const dyFilter = tf.transpose(dy, [1, 2, 0, 3]);
  return tf.transpose(convGeneral(channelMajor, dyFilter, geometry), [1, 2, 0, 3]);
}

/**
 * w[a,b] → w[kh−1−a, kw−1−b]. Small filters: a product with the anti-diagonal permutation
 * (XNNPACK, ~10× faster than tfjs-wasm's Reverse); large ones (filter-gradient recursion): Reverse.
 */
function flipTaps(w: tf.Tensor4D): tf.Tensor4D {
  const [kh, kw, ci, co] = w.shape;
  const taps = kh * kw;
  if (taps > 25) return tf.reverse(w, [0, 1]);
  const antiDiagonal = tf.tensor2d(
    Float32Array.from({ length: taps * taps }, (_, i) => (i % taps === taps - 1 - Math.floor(i / taps) ? 1 : 0)),
    [taps, taps],
  );
  return tf.reshape(tf.matMul(antiDiagonal, tf.reshape(w, [taps, ci * co])), [kh, kw, ci, co]);
}

/**
 * Inserts stride−1 zeros after every element along H and W (length becomes stride·length).
 * Done as two pads of rank ≤ 4 (rows, then columns): a rank-6 pad would differentiate into a
 * rank-6 Slice, which tfjs-wasm runs element by element in JS (~20× slower).
 */
function zeroInsert(dy: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return dy;
  const [n, h, w, c] = dy.shape;
  const rows = tf.pad(tf.reshape(dy, [n * h, 1, w, c]), [
    [0, 0],
    [0, sh - 1],
    [0, 0],
    [0, 0],
  ]);
  const columns = tf.pad(tf.reshape(rows, [n * h * sh * w, 1, c]), [
    [0, 0],
    [0, sw - 1],
    [0, 0],
  ]);
  return tf.reshape(columns, [n, h * sh, w * sw, c]);
}

export { outputLength, type AxisGeometry, type ConvGeometry };
