import * as tf from '../tf.ts';
import type { ImageTask, Task } from '../types.ts';

/**
 * Synthetic tasks for tests and benchmarks (seeded, so reproducible): random images with
 * labels 0..ways−1 repeated, and MAML's sine regression (y = A·sin(x − φ), x ∈ [−5, 5]).
 */
export function randomImageTask(shape: { ways: number; shots: number; queries: number; size: number; channels: number }, seed: number): ImageTask {
  const { ways, shots, queries, size, channels } = shape;
  return {
    supportX: tf.randomUniform([ways * shots, size, size, channels], 0, 1, 'float32', seed) as tf.Tensor4D,
    supportY: cyclicLabels(ways, ways * shots),
    queryX: tf.randomUniform([ways * queries, size, size, channels], 0, 1, 'float32', seed + 7919) as tf.Tensor4D,
    queryY: cyclicLabels(ways, ways * queries),
  };
}

export function sineTask(points: { support: number; query: number }, seed: number): Task<tf.Tensor2D> {
  const amplitude = 0.1 + 4.9 * fraction(seed * 0.618034);
  const phase = Math.PI * fraction(seed * 0.414214);
  const make = (n: number, s: number) =>
    tf.tidy(() => {
      const x = tf.randomUniform([n, 1], -5, 5, 'float32', s) as tf.Tensor2D;
      return { x, y: tf.mul(tf.sin(tf.sub(x, phase)), amplitude) as tf.Tensor2D };
    });
  const support = make(points.support, seed);
  const query = make(points.query, seed + 7919);
  return { supportX: support.x, supportY: support.y, queryX: query.x, queryY: query.y };
}

export function disposeTask(task: Task): void {
  tf.dispose([task.supportX, task.supportY, task.queryX, task.queryY]);
}

function cyclicLabels(ways: number, n: number): tf.Tensor1D {
  return tf.tensor1d(
    Array.from({ length: n }, (_, i) => i % ways),
    'int32',
  );
}

function fraction(v: number): number {
  return v - Math.floor(v);
}
