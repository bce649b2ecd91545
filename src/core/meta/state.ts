import { type OptimizerConfig, type OptimizerState, disposeOptimizerState, optimizerInit } from '../optim/optimizer.ts';
import * as tf from '../tf.ts';
import type { Params } from '../types.ts';

/**
 * Everything a meta-learner carries between meta-steps, as named tensors (checkpointable):
 * θ, learned inner rates (MAML++ / Meta-SGD; empty otherwise) and the outer optimiser's moments.
 */
export interface MetaState {
  readonly params: Params;
  readonly rates: Params;
  readonly optimizer: OptimizerState;
  /** Meta-steps taken so far (drives MAML++'s annealing). */
  readonly step: number;
}

/** Prefix of learned-rate names in the optimiser's state and in `metaStateTensors`. */
export const RATE_PREFIX = 'lr.';

export function newMetaState(params: Params, rates: Params, optimizer: OptimizerConfig): MetaState {
  const own = tf.tidy(() => ({ params: cloneParams(params), rates: cloneParams(rates) }));
  return { ...own, optimizer: optimizerInit(optimizer, optimized(own)), step: 0 };
}

/** θ and the rates in one map (rates prefixed), as the outer optimiser sees them. */
export function optimized(state: Pick<MetaState, 'params' | 'rates'>): Params {
  return { ...state.params, ...prefixed(state.rates, RATE_PREFIX) };
}

export function disposeMetaState(state: MetaState): void {
  tf.dispose([...Object.values(state.params), ...Object.values(state.rates)]);
  disposeOptimizerState(state.optimizer);
}

/**
 * The state as one flat map of named tensors for a checkpoint: θ under its own names,
 * `lr.<name>` rates, `adam.m.<name>` / `adam.v.<name>` moments, `adam.t` and `meta.step` (int32).
 * The tensors are the state's own (not copies).
 */
export function metaStateTensors(state: MetaState): Params {
  return {
    ...state.params,
    ...prefixed(state.rates, RATE_PREFIX),
    ...prefixed(state.optimizer.m, 'adam.m.'),
    ...prefixed(state.optimizer.v, 'adam.v.'),
    'adam.t': tf.scalar(state.optimizer.t, 'int32'),
    'meta.step': tf.scalar(state.step, 'int32'),
  };
}

/** The inverse of metaStateTensors (takes ownership of the tensors, disposes the two counters). */
export function metaStateFromTensors(tensors: Params): MetaState {
  const params: Params = {};
  const rates: Params = {};
  const m: Params = {};
  const v: Params = {};
  for (const [name, t] of Object.entries(tensors)) {
    if (name === 'adam.t' || name === 'meta.step') continue;
    if (name.startsWith('adam.m.')) m[name.slice(7)] = t;
    else if (name.startsWith('adam.v.')) v[name.slice(7)] = t;
    else if (name.startsWith(RATE_PREFIX)) rates[name.slice(RATE_PREFIX.length)] = t;
    else params[name] = t;
  }
  const counter = (name: string) => {
    const t = tensors[name];
    const value = t === undefined ? 0 : t.dataSync()[0]!;
    t?.dispose();
    return value;
  };
  return { params, rates, optimizer: { t: counter('adam.t'), m, v }, step: counter('meta.step') };
}

export function prefixed(params: Params, prefix: string): Params {
  return Object.fromEntries(Object.entries(params).map(([name, t]) => [prefix + name, t]));
}

function cloneParams(params: Params): Params {
  return Object.fromEntries(Object.entries(params).map(([name, t]) => [name, tf.clone(t)]));
}
