/** The core's differentiable-to-any-order ops (one per file). */
export { batchNorm, BATCH_NORM_EPSILON } from './batch-norm.ts';
export { batchMoments, normalizeWithMoments, type Moments } from './batch-moments.ts';
export { addChannelBias } from './bias.ts';
export { batchNormReluMaxPool } from './batch-norm-relu-pool.ts';
export { broadcastRows, channelMean, channelSum } from './channel-sum.ts';
export { conv2d } from './conv2d.ts';
export { convGeneral } from './conv-general.ts';
export type { AxisGeometry, ConvGeometry } from './conv-geometry.ts';
export { exp } from './exp.ts';
export { maxPool2x2, reluMaxPool2x2 } from './max-pool.ts';
export { sumPool2x2, upsample2x } from './upsample.ts';
export { constantOf, stopGradient } from './stop-gradient.ts';
export { ShapeMismatchError, UnsupportedConvGeometryError, assertShape } from './errors.ts';
