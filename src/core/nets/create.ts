import type * as tf from '../tf.ts';
import type { Network, NetworkSpec } from '../types.ts';
import { conv4 } from './conv4.ts';
import { mlp } from './mlp.ts';

/**
 * The classes one session may have with a network of this spec: a classifier serves 2 up to its
 * output units (its head is cut to the first N, or set per task from the support set); a
 * regression network its trained task shape (`nWay`).
 */
export function servableWays(spec: NetworkSpec, nWay: number): { min: number; max: number } {
  return spec.kind === 'conv4' ? { min: 2, max: spec.outputs } : { min: nWay, max: nWay };
}

/** The network for a spec (conv4 takes images [N,H,W,C], mlp takes rows [N,inputs]). */
export function createNetwork(spec: NetworkSpec): Network<tf.Tensor> {
  switch (spec.kind) {
    case 'conv4':
      return conv4(spec) as unknown as Network<tf.Tensor>;
    case 'mlp':
      return mlp(spec) as unknown as Network<tf.Tensor>;
  }
}
