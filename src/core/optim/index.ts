export { adamInit, adamStep, type AdamConfig, type AdamState } from './adam.ts';
export { sgdStep } from './sgd.ts';
export { disposeOptimizerState, optimizerInit, optimizerStep, type OptimizerConfig, type OptimizerState } from './optimizer.ts';
export * from './schedule.ts';
