import * as tf from '../tf.ts';
import { assertShape } from '../ops/errors.ts';
import type { Network, NetworkSpec, Params } from '../types.ts';
import { InvalidNetworkSpecError } from './errors.ts';
import { SeededRandom, uniformTensor } from './init.ts';
import { param } from './param.ts';

export type MlpSpec = Extract<NetworkSpec, { kind: 'mlp' }>;

/**
 * Fully connected ReLU network (MAML's sine regression: 1-40-40-1), functional.
 * Parameters (i = 0..L−1, the last layer is the head; no activation after it):
 *   layer{i}.weight [in,out]   (PyTorch Linear [out,in] → transpose)
 *   layer{i}.bias   [out]
 * Init as PyTorch's nn.Linear: weight and bias uniform in ±1/√in.
 */
export function mlp(spec: MlpSpec): Network<tf.Tensor2D> & Required<Pick<Network<tf.Tensor2D>, 'features' | 'head'>> {
  const widths = mlpWidths(spec);
  const last = widths.length - 2;
  const headNames = [`layer${last}.weight`, `layer${last}.bias`] as const;

  const dense = (params: Params, i: number, x: tf.Tensor2D): tf.Tensor2D =>
    tf.add(tf.matMul(x, param<tf.Tensor2D>(params, `layer${i}.weight`)), param<tf.Tensor1D>(params, `layer${i}.bias`));

  function features(params: Params, x: tf.Tensor2D): tf.Tensor2D {
    assertShape('mlp input', x.shape, [null, spec.inputs]);
    let h = x;
    for (let i = 0; i < last; i++) h = tf.relu(dense(params, i, h));
    return h;
  }

  function head(params: Params, feats: tf.Tensor2D): tf.Tensor2D {
    return dense(params, last, feats);
  }

  function init(seed: number): Params {
    const rng = new SeededRandom(seed);
    const params: Params = {};
    for (let i = 0; i <= last; i++) {
      const bound = 1 / Math.sqrt(widths[i]!);
      params[`layer${i}.weight`] = uniformTensor(rng, [widths[i]!, widths[i + 1]!], bound);
      params[`layer${i}.bias`] = uniformTensor(rng, [widths[i + 1]!], bound);
    }
    return params;
  }

  return { spec, headNames, init, features, head, forward: (params, x) => head(params, features(params, x)) };
}

/** Layer widths, input to output; throws on a width that is not a positive integer. */
function mlpWidths(spec: MlpSpec): number[] {
  const widths = [spec.inputs, ...spec.hidden, spec.outputs];
  widths.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 1) throw new InvalidNetworkSpecError(`widths[${i}]`, v, 'must be a positive integer');
  });
  return widths;
}

/** Every tensor of θ with its shape, from the spec alone (no tensors); `init` makes exactly these. */
export function mlpParameterShapes(spec: MlpSpec): Record<string, number[]> {
  const widths = mlpWidths(spec);
  const shapes: Record<string, number[]> = {};
  for (let i = 0; i < widths.length - 1; i++) {
    shapes[`layer${i}.weight`] = [widths[i]!, widths[i + 1]!];
    shapes[`layer${i}.bias`] = [widths[i + 1]!];
  }
  return shapes;
}
