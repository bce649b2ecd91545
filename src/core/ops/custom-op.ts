import * as tf from '../tf.ts';

export interface CustomOpResult<T extends tf.Tensor> {
  readonly value: T;
  /**
   * Gradients for every input, computed from the *saved* tensors (tfjs keeps saved inputs linked
   * to the tape, so gradFunc's ops differentiate again; saved outputs and closures do not work).
   */
  readonly gradFunc: (dy: T, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
}

/** A typed wrapper of tf.customGrad: `forward(inputs, save)` runs untaped; gradFunc is taped. */
export function customOp<T extends tf.Tensor>(forward: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => CustomOpResult<T>): (...inputs: tf.Tensor[]) => T {
  const op = tf.customGrad<T>((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    return forward(args.slice(0, -1) as tf.Tensor[], save);
  });
  return (...inputs: tf.Tensor[]) => op(...inputs);
}

/**
 * True while a gradient tape is recording, i.e. when the gradient being computed now will itself
 * be differentiated (MAML's second order). A gradFunc may then only use linked (saved-input)
 * tensors; otherwise it may reuse values saved from the forward pass, which is cheaper.
 */
export function gradientIsTaped(): boolean {
  return tf.engine().state.gradientDepth > 0;
}
