import * as tf from './tf.ts';
import { exp } from './ops/exp.ts';
import { assertShape } from './ops/errors.ts';
import { constantOf } from './ops/stop-gradient.ts';

/**
 * Mean softmax cross-entropy of logits [N,K] against int class labels [N], numerically stable
 * (log-sum-exp shifted by the row max) and exact to any order: the max is a constant (the loss
 * does not depend on it), and `exp` recomputes its gradient from its input. Do not replace with
 * tf.losses.softmaxCrossEntropy / tf.logSoftmax: their second derivatives are silently wrong.
 */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const [n, k] = logits.shape;
  assertShape('crossEntropy labels', labels.shape, [n]);
  const shifted = tf.sub(
    logits,
    constantOf((l) => tf.max(l, 1, true), logits),
  );
  const logSumExp = tf.log(tf.sum(exp(shifted), 1));
  const target = tf.sum(tf.mul(shifted, tf.oneHot(tf.cast(labels, 'int32'), k)), 1);
  return tf.mean(tf.sub(logSumExp, target));
}

/** Fraction of rows whose arg-max logit is the label (no gradient). */
export function accuracy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  assertShape('accuracy labels', labels.shape, [logits.shape[0]]);
  return tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(labels, 'int32')), 'float32'));
}

/** Mean squared error (regression), exact to any order. */
export function mse(predictions: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  assertShape('mse targets', targets.shape, predictions.shape);
  return tf.mean(tf.square(tf.sub(predictions, targets)));
}

/** The task loss: cross-entropy for int labels [N], MSE for float targets [N,D]. */
export function taskLoss(outputs: tf.Tensor2D, targets: tf.Tensor1D | tf.Tensor2D): tf.Scalar {
  return targets.rank === 1 ? crossEntropy(outputs, targets as tf.Tensor1D) : mse(outputs, targets as tf.Tensor2D);
}

/** Accuracy for classification targets, null for regression. */
export function taskAccuracy(outputs: tf.Tensor2D, targets: tf.Tensor1D | tf.Tensor2D): tf.Scalar | null {
  return targets.rank === 1 ? accuracy(outputs, targets as tf.Tensor1D) : null;
}
