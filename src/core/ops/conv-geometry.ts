/**
 * Geometry of a 2-D convolution along one spatial axis, and the geometries of its two
 * gradients written as forward convolutions (so the gradients differentiate again).
 *
 * Along an axis: out[i] = Σ_a xp[stride·i + dilation·a] · w[a], where xp is the input with
 * `padBefore` / `padAfter` zeros added (a negative pad crops instead).
 */
export interface AxisGeometry {
  readonly stride: number;
  readonly dilation: number;
  readonly padBefore: number;
  readonly padAfter: number;
}

export interface ConvGeometry {
  readonly h: AxisGeometry;
  readonly w: AxisGeometry;
}

/** Output length of a convolution over `length` input elements with a `kernel`-tap filter. */
export function outputLength(length: number, kernel: number, g: AxisGeometry): number {
  return Math.floor((length + g.padBefore + g.padAfter - g.dilation * (kernel - 1) - 1) / g.stride) + 1;
}

/**
 * Gradient w.r.t. the input: dy is zero-inserted by `stride` (to length stride·outLength), then
 * correlated with the flipped filter at the same dilation, stride 1.
 */
export function inputGradGeometry(length: number, kernel: number, g: AxisGeometry): AxisGeometry {
  const inserted = g.stride * outputLength(length, kernel, g);
  return {
    stride: 1,
    dilation: g.dilation,
    padBefore: g.dilation * (kernel - 1) - g.padBefore,
    padAfter: length - inserted + g.padBefore,
  };
}

/**
 * Gradient w.r.t. the input with the roles swapped (cheaper when dy is spatially smaller than the
 * filter): the filter, zero-inserted by `dilation` (to length dilation·kernel), is correlated with
 * the flipped dy at dilation `stride`, stride 1.
 */
export function swappedInputGradGeometry(length: number, kernel: number, g: AxisGeometry): AxisGeometry {
  const outLength = outputLength(length, kernel, g);
  return {
    stride: 1,
    dilation: g.stride,
    padBefore: g.stride * (outLength - 1) - g.padBefore,
    padAfter: length - g.dilation * kernel + g.padBefore,
  };
}

/**
 * Gradient w.r.t. the filter: dw[a] = Σ_i xp[stride·i + dilation·a] · dy[i], a convolution of xp
 * with dy as the filter, stride and dilation swapped; the trailing input no output used is cropped
 * so exactly `kernel` outputs come out.
 */
export function filterGradGeometry(length: number, kernel: number, g: AxisGeometry): AxisGeometry {
  const outLength = outputLength(length, kernel, g);
  const unused = length + g.padBefore + g.padAfter - g.stride * (outLength - 1) - 1 - g.dilation * (kernel - 1);
  return { stride: g.dilation, dilation: g.stride, padBefore: g.padBefore, padAfter: g.padAfter - unused };
}

/** The geometry of a 3×3 convolution with PyTorch's padding=1 ('same' for stride 1). */
export function paddedGeometry(stride: number, pad: number): ConvGeometry {
  const axis: AxisGeometry = { stride, dilation: 1, padBefore: pad, padAfter: pad };
  return { h: axis, w: axis };
}
