export { metaGradient, EmptyMetaBatchError, StepWeightsError, type MetaGradientOptions, type MetaGradientResult } from './meta_gradient.ts';
export {
  type InnerLearningRate,
  LearningRateShapeError,
  MissingLearningRateError,
  learnedRates,
  withRates,
} from './learning_rates.ts';
export { detach, valueAndGradients } from './gradients.ts';
