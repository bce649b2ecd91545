import type * as tf from '../tf.ts';
import type { Params } from '../types.ts';
import { MissingParameterError } from './errors.ts';

/** The named parameter, typed by the caller's knowledge of its rank; throws if absent. */
export function param<T extends tf.Tensor>(params: Params, name: string): T {
  const t = params[name];
  if (t === undefined) throw new MissingParameterError(name, Object.keys(params));
  return t as T;
}
