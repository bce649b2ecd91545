/** Test-only fixtures of the meta-gradient tests: small networks and tasks, finite-difference checks. */
import { createNetwork } from '../nets/index.ts';
import * as tf from '../tf.ts';
import type { Network, NetworkSpec, Params, Task } from '../types.ts';
import { centralDifference, dot, metaObjective, normalized } from './gradient-check.ts';
import { type MetaGradientOptions, metaGradient } from './meta-gradient.ts';
import { randomImageTask, sineTask } from './synthetic-tasks.ts';

export const EPS = 1e-3;
export const TOL = 2e-2;

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

/**
 * A conv4 test point: bn.bias = 2 keeps the ReLU inputs away from the kink, so a finite
 * difference of the meta-objective does not straddle a jump of the inner gradient (a ReLU
 * net's inner gradient is discontinuous in θ); conv, batch norm, max-pool and cross-entropy
 * second derivatives are all still exercised.
 */
export function convCase(variant: 'maxpool' | 'strided', size: number) {
  const spec: NetworkSpec = { kind: 'conv4', variant, inputSize: size, channels: 1, filters: 4, outputs: 3, headInit: 'random' };
  const net = createNetwork(spec);
  const params = net.init(1);
  for (let i = 0; i < 4; i++) {
    params[`block${i}.bn.bias`]!.dispose();
    params[`block${i}.bn.bias`] = tf.fill([4], 2);
  }
  const tasks = [1, 2].map((seed) => randomImageTask({ ways: 3, shots: 2, queries: 2, size, channels: 1 }, seed));
  return { net, params, tasks };
}

export function sineCase() {
  const net = createNetwork({ kind: 'mlp', inputs: 1, hidden: [40, 40], outputs: 1 });
  return { net, params: net.init(1), tasks: [1, 2].map((seed) => sineTask({ support: 10, query: 10 }, seed)) };
}

export function difference(a: Params, b: Params): Params {
  const out: Params = {};
  for (const name of Object.keys(a)) out[name] = tf.sub(a[name]!, b[name]!);
  return out;
}

export function randomDirection(like: Params, seed: number): Params {
  const out: Params = {};
  Object.entries(like).forEach(([name, t], i) => (out[name] = tf.randomNormal(t.shape, 0, 1, 'float32', seed + i)));
  return out;
}

/** Directional derivatives of the second- and first-order meta-gradients vs finite differences. */
export function checkMetaGradient(net: Network, params: Params, tasks: Task[], options: MetaGradientOptions) {
  return tf.tidy(() => {
    const second = metaGradient(net, params, tasks, options);
    const first = metaGradient(net, params, tasks, { ...options, firstOrder: true });
    const objective = (p: Params) => metaObjective(net, p, tasks, options);
    const along = (raw: Params) => {
      const u = normalized(raw);
      return { second: dot(second.grads, u), first: dot(first.grads, u), fd: centralDifference(objective, params, u, EPS) };
    };
    return {
      disagreement: along(difference(second.grads, first.grads)),
      random: along(randomDirection(params, 11)),
      norm: Math.sqrt(dot(second.grads, second.grads)),
    };
  });
}

export function assertSecondOrderExact(result: ReturnType<typeof checkMetaGradient>): void {
  const { disagreement: d, random: r, norm } = result;
  check(Math.abs(d.second - d.fd) < TOL * Math.abs(d.fd), `along (so − fo): second order ${d.second} vs finite differences ${d.fd}`);
  check(Math.abs(d.first - d.fd) > 10 * TOL * Math.abs(d.fd), `first order ${d.first} should miss ${d.fd} (else the check is blind)`);
  check(Math.abs(r.second - r.fd) < TOL * norm, `random direction: second order ${r.second} vs finite differences ${r.fd} (|g| ${norm})`);
}
