export {
  MetaGradientPool,
  InvalidThreadCountError,
  PoolClosedError,
  splitShares,
  type MetaGradientPoolOptions,
  type PoolMetaGradient,
  type PoolStepOptions,
} from './meta-gradient-pool.ts';
export { type HostParams, type PackedLayout, type LayoutEntry, LayoutMismatchError, checkAgainstLayout, layoutOf, packInto, unpackViews } from './packing.ts';
export { NoImageStoreError, type PoolAlgorithmOptions, type PoolTaskPlan, type StepOverrides } from './protocol.ts';
export { rateLayout } from './rates.ts';
export { isShared, shareImageStore } from './shared-store.ts';
export { ThreadExitedError, ThreadFailedError, ThreadStartError } from './thread-handle.ts';
