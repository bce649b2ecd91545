/**
 * Zero-initialised heads (architecture.headInit "zero"): the head is not meta-learned. Every task
 * starts from a zero head, so the first inner step sets each class's weights from its support
 * features (prototype-like) and no output unit means a particular class. That makes one
 * meta-trained body serve any number of classes up to `maxWays`: training runs an nWay head that
 * is reset to zero after every outer step, and the model file holds a zero head of maxWays units.
 */
import type { NamedTensor } from '../../core/checkpoint/index.ts';
import { networkCapabilities } from '../../core/kinds.ts';
import type { MetaState } from '../../core/meta/state.ts';
import * as tf from '../../core/tf.ts';
import type { NetworkSpec } from '../../core/types.ts';

const HEAD = ['head.weight', 'head.bias'] as const;

/** `state` with a zero head (its old head tensors disposed; everything else kept). */
export function resetHead(state: MetaState): MetaState {
  const params = { ...state.params };
  for (const name of HEAD) {
    const old = params[name];
    if (!old) continue;
    params[name] = tf.zeros(old.shape);
    old.dispose();
  }
  return { ...state, params };
}

/** The served spec and zero head of `maxWays` units, replacing the training head in `weights`. */
export function servedZeroHead(spec: NetworkSpec, weights: Map<string, NamedTensor>, maxWays: number): NetworkSpec {
  const head = weights.get('head.weight');
  if (!networkCapabilities(spec).resettableHead || !head) return spec;
  const features = head.shape[0]!;
  weights.set('head.weight', { dtype: 'float32', shape: [features, maxWays], data: new Float32Array(features * maxWays) });
  weights.set('head.bias', { dtype: 'float32', shape: [maxWays], data: new Float32Array(maxWays) });
  return { ...spec, outputs: maxWays };
}
