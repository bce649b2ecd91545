/**
 * metaGradient's native path: the whole meta-gradient of a Conv4 classification batch in one
 * `MamlConv4MetaGradient` kernel call (native/kernels/meta_gradient.c: the inner loop, the query
 * losses, and the way back through the inner steps with Hessian-vector products by the
 * R-operator), instead of tfjs's second-order graph of ~1,500 kernel calls per task. The same
 * result as the reference (meta-gradient.ts) up to float rounding: exact second order or first
 * order, fixed or learned rates, step weights, a parameter subset, batch statistics or frozen
 * moments, a stored or prototype head. Undefined whenever the kernel is not registered or the
 * case is anything else (another network, regression, a custom loss); the caller then runs the
 * reference.
 */
import { trainableNames, type PhaseTimes } from '../adapt.ts';
import { CONV4_META_GRADIENT, NATIVE_NAMES, nativeImages, nativeKernelFor, nativeLabels, nativePlan } from '../native-conv4.ts';
import * as tf from '../tf.ts';
import type { Network, Params, Task } from '../types.ts';
import { learnedRates } from './learning-rates.ts';
import type { MetaGradientOptions, MetaGradientResult } from './meta-gradient.ts';

/** The kernel's timing metrics [3..6], as phases. */
const PHASES = ['inner_loop', 'queries', 'hessian_products', 'other'] as const;

export function nativeMetaGradient<X extends tf.Tensor>(
  net: Network<X>,
  params: Params,
  tasks: readonly Task<X>[],
  options: MetaGradientOptions & { readonly phases?: PhaseTimes },
  weights: readonly number[],
): MetaGradientResult | undefined {
  const conv = net as unknown as Network;
  if (!nativeKernelFor(conv, CONV4_META_GRADIENT) || options.loss !== undefined) return undefined;
  const { steps, lr } = options;
  if (!Number.isInteger(steps) || steps < 0) return undefined;
  const images = (x: tf.Tensor) => nativeImages(conv, x);
  if (!tasks.every((t) => images(t.supportX) && images(t.queryX) && t.supportY.rank === 1 && t.queryY.rank === 1)) return undefined;
  const plan = nativePlan(conv, params, lr, steps, options.only);
  if (!plan) return undefined;
  const started = performance.now();
  const inputs: Record<string, tf.Tensor> = { ...plan.inputs };
  const copies: tf.Tensor[] = [];
  try {
    for (const [t, task] of tasks.entries()) {
      const classes = plan.attrs.prototype ? Math.max(...Array.from(task.supportY.dataSync())) + 1 : params['head.weight']?.shape[1];
      const ys = nativeLabels(task.supportY, classes);
      const yq = nativeLabels(task.queryY, classes);
      for (const y of [ys, yq]) if (y && y !== task.supportY && y !== task.queryY) copies.push(y);
      if (!ys || !yq) return undefined;
      Object.assign(inputs, { [`xs${t}`]: task.supportX, [`ys${t}`]: ys, [`xq${t}`]: task.queryX, [`yq${t}`]: yq });
    }
    if (options.stepWeights && steps > 0) {
      const stepWeights = tf.tensor1d([...weights], 'float32');
      copies.push(stepWeights);
      inputs['stepWeights'] = stepWeights;
    }
    const attrs = { ...plan.attrs, tasks: tasks.length, steps, firstOrder: options.firstOrder === true };
    const outs = tf
      .engine()
      .runKernel(CONV4_META_GRADIENT, inputs as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as unknown as tf.Tensor[];
    return collect(conv, params, outs, plan.attrs.prototype ? 12 : 14, plan.names, options, started);
  } finally {
    tf.dispose(copies);
  }
}

/** The kernel's outputs as a MetaGradientResult: every trainable name (conv biases: exact zeros), every learned rate. */
function collect(
  net: Network,
  params: Params,
  outs: tf.Tensor[],
  kept: number,
  adapted: readonly string[],
  options: MetaGradientOptions & { readonly phases?: PhaseTimes },
  started: number,
): MetaGradientResult {
  const byName = new Map<string, tf.Tensor>();
  NATIVE_NAMES.slice(0, kept).forEach((name, i) => byName.set(name, outs[i]!));
  const grads: Params = {};
  for (const name of trainableNames(net, params)) grads[name] = byName.get(name) ?? tf.zerosLike(params[name]!);
  const rates = learnedRates(options.lr);
  const rateOuts = new Map<string, tf.Tensor>();
  let next = kept;
  NATIVE_NAMES.forEach((name) => {
    if (typeof options.lr !== 'number' && adapted.includes(name)) rateOuts.set(name, outs[next++]!);
  });
  const rateGrads: Params = {};
  for (const name of Object.keys(rates)) rateGrads[name] = rateOuts.get(name) ?? tf.zerosLike(rates[name]!);
  const metricsTensor = outs[next]!;
  const metrics = metricsTensor.dataSync();
  metricsTensor.dispose();
  const phases = options.phases;
  if (phases) {
    PHASES.forEach((p, i) => (phases[p] = (phases[p] ?? 0) + metrics[3 + i]!));
    const inside = metrics[3]! + metrics[4]! + metrics[5]! + metrics[6]!;
    phases['host'] = (phases['host'] ?? 0) + performance.now() - started - inside;
  }
  return { grads, rateGrads, objective: metrics[0]!, loss: metrics[1]!, accuracy: metrics[2]! };
}
