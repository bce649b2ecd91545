export { createNetwork, parameterShapes } from './create.ts';
export { conv4, conv4OutputSize, CONV4_BLOCKS, type Conv4Spec } from './conv4.ts';
export { mlp, type MlpSpec } from './mlp.ts';
export { SeededRandom } from './init.ts';
export { InvalidNetworkSpecError, MissingParameterError } from './errors.ts';
