import * as tf from '../tf.ts';
import { addChannelBias } from './bias.ts';
import { convGeneral } from './conv-general.ts';
import { paddedGeometry } from './conv-geometry.ts';
import { assertShape } from './errors.ts';

/**
 * 3×3 convolution + bias, NHWC, padding 1 on every side (PyTorch `padding=1`; for stride 1 this
 * is 'same', for stride 2 the output is ceil(H/2) like 'same' but padded symmetrically, so
 * imported PyTorch weights give identical results). Differentiable to any order (see convGeneral).
 *
 * x [N,H,W,Cin], w [3,3,Cin,Cout] (tfjs layout; PyTorch's [Cout,Cin,3,3] transposed (2,3,1,0)),
 * b [Cout] → [N, H', W', Cout] with H' = floor((H − 1) / stride) + 1.
 */
export function conv2d(x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D, stride: 1 | 2 = 1): tf.Tensor4D {
  assertShape('conv2d weight', w.shape, [3, 3, x.shape[3], null]);
  assertShape('conv2d bias', b.shape, [w.shape[3]]);
  return addChannelBias(convGeneral(x, w, paddedGeometry(stride, 1)), b);
}
