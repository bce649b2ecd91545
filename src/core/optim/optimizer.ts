import * as tf from '../tf.ts';
import type { Params } from '../types.ts';
import { type AdamConfig, type AdamState, adamInit, adamStep } from './adam.ts';
import { sgdStep } from './sgd.ts';

/** The outer (meta) optimiser. */
export type OptimizerConfig = ({ readonly kind: 'adam' } & AdamConfig) | { readonly kind: 'sgd'; readonly lr: number };

/** Optimiser state as named tensors plus a step count (SGD keeps only the count). */
export type OptimizerState = AdamState;

export function optimizerInit(config: OptimizerConfig, params: Params): OptimizerState {
  return config.kind === 'adam' ? adamInit(params) : { t: 0, m: {}, v: {} };
}

/** One optimiser step; returns new tensors, disposes nothing. */
export function optimizerStep(config: OptimizerConfig, params: Params, grads: Params, state: OptimizerState): { params: Params; state: OptimizerState } {
  if (config.kind === 'adam') return adamStep(params, grads, state, config);
  return { params: sgdStep(params, grads, config.lr), state: { t: state.t + 1, m: {}, v: {} } };
}

export function disposeOptimizerState(state: OptimizerState): void {
  tf.dispose([...Object.values(state.m), ...Object.values(state.v)]);
}
