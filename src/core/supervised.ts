/**
 * Supervised learning's step in the functional core: the mean softmax cross-entropy of a batch
 * and its gradient w.r.t. every parameter (pre-training of a body before meta-training).
 */
import { crossEntropy } from './loss.ts';
import { pick, valueAndGradients, zipParams } from './meta/gradients.ts';
import * as tf from './tf.ts';
import type { Network, Params } from './types.ts';

/** Mean cross-entropy of a batch and its gradients w.r.t. every parameter (and the batch accuracy). */
export function supervisedGradient(
  net: Network<tf.Tensor4D>,
  params: Params,
  batch: { x: tf.Tensor4D; y: tf.Tensor1D },
): { grads: Params; loss: number; accuracy: number } {
  const names = Object.keys(params);
  let accuracy: tf.Scalar | null = null;
  const { value, grads } = valueAndGradients(
    () => {
      const logits = net.forward(params, batch.x);
      accuracy = tf.keep(tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), batch.y), 'float32')) as tf.Scalar);
      return crossEntropy(logits, batch.y);
    },
    pick(params, names),
  );
  const loss = value.dataSync()[0]!;
  const acc = (accuracy as tf.Scalar | null)!.dataSync()[0]!;
  tf.dispose([value, accuracy!]);
  return { grads: zipParams(names, grads), loss, accuracy: acc };
}
