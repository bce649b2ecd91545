export { metaGradient, EmptyMetaBatchError, StepWeightsError, type MetaGradientOptions, type MetaGradientResult } from './meta-gradient.ts';
export {
  type InnerLearningRate,
  LearningRateShapeError,
  MissingLearningRateError,
  learnedRates,
} from './learning-rates.ts';
export { detach, valueAndGradients } from './gradients.ts';
export {
  META_ALGORITHMS,
  type GradientSteps,
  type InnerPlan,
  type MetaAlgorithm,
  type MetaAlgorithmName,
  type MetaConfigBase,
  type MetaStepMetrics,
} from './algorithm.ts';
export { createMetaAlgorithm, InvalidMetaConfigError, type MetaAlgorithmConfig } from './registry.ts';
export { type MamlPlusPlusConfig, multiStepLossWeights } from './algorithms/mamlpp.ts';
export { clipByGlobalNorm, globalNorm } from './clip.ts';
export { type MetaState, disposeMetaState, metaStateFromTensors, metaStateTensors, newMetaState } from './state.ts';
