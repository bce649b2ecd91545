import type * as tf from '../tf.ts';
import type { Network, NetworkSpec } from '../types.ts';
import { conv4 } from './conv4.ts';
import { mlp } from './mlp.ts';

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
