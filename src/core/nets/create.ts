import type * as tf from '../tf.ts';
import type { Network, NetworkSpec } from '../types.ts';
import { conv4, conv4ParameterShapes } from './conv4.ts';
import { mlp, mlpParameterShapes } from './mlp.ts';

/** The classes one session may have with a network of this spec (its capabilities: src/core/kinds.ts). */
export { servableWays } from '../kinds.ts';

/** The network for a spec (conv4 takes images [N,H,W,C], mlp takes rows [N,inputs]). */
export function createNetwork(spec: NetworkSpec): Network<tf.Tensor> {
  switch (spec.kind) {
    case 'conv4':
      return conv4(spec) as unknown as Network<tf.Tensor>;
    case 'mlp':
      return mlp(spec) as unknown as Network<tf.Tensor>;
  }
}

/**
 * The shape of every tensor θ holds for a spec (parameters and buffers), computed from the spec
 * alone: no network is built and no tensor allocated. Throws InvalidNetworkSpecError on a bad spec.
 */
export function parameterShapes(spec: NetworkSpec): Record<string, number[]> {
  switch (spec.kind) {
    case 'conv4':
      return conv4ParameterShapes(spec);
    case 'mlp':
      return mlpParameterShapes(spec);
  }
}
