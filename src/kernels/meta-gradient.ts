/**
 * `MamlConv4MetaGradient` (no gradient of its own): MAML's meta-gradient for Conv4, exact second
 * order (or first order), as one wasm-backend kernel over a batch of tasks, each one call of the
 * addon's conv4_meta_gradient (native/kernels/meta_gradient.c): the inner loop, the query losses,
 * and the way back through the inner steps with Hessian-vector products by the R-operator
 * instead of tfjs's second-order graph (~1,500 kernel calls per task). src/core/meta names it and
 * falls back to the reference when it is not registered.
 *
 * Inputs: θ as in MamlConv4Adapt (w0..w3, gamma0..3, beta0..3, headW, headB — the head absent
 * with attrs.prototype; mean0..3, variance0..3 with attrs.frozen; rate0..rate13 for the adapted
 * parameters with learned rates), stepWeights [steps] (optional), and per task t < attrs.tasks:
 * xs{t} [S,H,W,C], ys{t} [S] int32, xq{t} [Q,H,W,C], yq{t} [Q] int32. With a prototype head a
 * task's classes are its support labels' max + 1, else the head's columns.
 * Attrs: tasks, stride, pool, frozen, prototype, firstOrder (booleans), steps, rateMode, lr,
 * epsilon, adapt (14 flags).
 * Outputs: the mean meta-gradient of each parameter in θ's order (12 with a prototype head), of
 * each learned rate (rate0..13 order, adapted ones), then metrics [7]: mean objective, final query
 * loss and accuracy, then ms summed over tasks in the inner loop, the query passes, the Hessian
 * products and the rest.
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelAddon } from './addon.ts';
import { CONV4_INPUT_NAMES, conv4Config, frozenMomentViews } from './inner-loop.ts';
import { heapFloats, isWasmBackendLike } from './wasm-heap.ts';

export const CONV4_META_GRADIENT = 'MamlConv4MetaGradient';

const PARAMS = 14;
const METRICS = 7;

export function conv4MetaGradientKernel(addon: KernelAddon): KernelFunc {
  return (args) => {
    const backend = args.backend;
    if (!isWasmBackendLike(backend)) throw new Error(`${CONV4_META_GRADIENT} runs on the wasm backend only`);
    const inputs = args.inputs as Record<string, TensorInfo | undefined>;
    const a = args.attrs ?? {};
    const tasks = Number(a['tasks']);
    const prototype = a['prototype'] === true,
      frozen = a['frozen'] === true;
    const rateMode = Number(a['rateMode'] ?? 0);
    const adapt = Int32Array.from(a['adapt'] as number[]);
    const filters = inputs['gamma0']?.shape[0] ?? 0;
    if (!Number.isInteger(tasks) || tasks < 1) throw new Error(`${CONV4_META_GRADIENT}: expected at least one task`);
    for (let t = 0; t < tasks; t++) {
      const [xs, ys, xq, yq] = [inputs[`xs${t}`], inputs[`ys${t}`], inputs[`xq${t}`], inputs[`yq${t}`]];
      if (
        xs?.shape.length !== 4 ||
        xq?.shape.length !== 4 ||
        xs.dtype !== 'float32' ||
        xq.dtype !== 'float32' ||
        ys?.dtype !== 'int32' ||
        yq?.dtype !== 'int32'
      )
        throw new Error(`${CONV4_META_GRADIENT}: task ${t}: expected float32 xs, xq [n,H,W,C] and int32 ys, yq`);
    }
    const headClasses = inputs['headW']?.shape[1];
    const kept = prototype ? 12 : PARAMS;
    const gradShapes = CONV4_INPUT_NAMES.slice(0, kept).map((name) => inputs[name]?.shape ?? []);
    const rateIndices = rateMode === 0 ? [] : CONV4_INPUT_NAMES.map((_, i) => i).filter((i) => adapt[i] === 1);
    const outs = gradShapes.map((shape) => backend.makeOutput([...shape], 'float32'));
    rateIndices.forEach((i) => outs.push(backend.makeOutput([...(inputs[`rate${i}`]?.shape ?? [])], 'float32')));
    outs.push(backend.makeOutput([METRICS], 'float32'));
    try {
      // Views only now: makeOutput may have grown the heap.
      const view = (t: TensorInfo | undefined) => (t ? heapFloats(backend, t) : null);
      const grads: (Float32Array | null)[] = outs.slice(0, kept).map((o) => heapFloats(backend, o));
      while (grads.length < PARAMS) grads.push(null);
      const rateGrads: (Float32Array | null)[] = CONV4_INPUT_NAMES.map(() => null);
      rateIndices.forEach((i, j) => (rateGrads[i] = heapFloats(backend, outs[kept + j]!)));
      const metrics = heapFloats(backend, outs[outs.length - 1]!);
      for (const o of outs) heapFloats(backend, o).fill(0);
      const theta = CONV4_INPUT_NAMES.map((name, i) => (prototype && i >= 12 ? null : view(inputs[name])));
      const moments = frozen ? frozenMomentViews(backend, inputs) : null;
      const rates = rateMode === 0 ? null : CONV4_INPUT_NAMES.map((_, i) => view(inputs[`rate${i}`]));
      const weights = view(inputs['stepWeights']);
      for (let t = 0; t < tasks; t++) {
        const [xs, ys, xq, yq] = [inputs[`xs${t}`]!, inputs[`ys${t}`]!, inputs[`xq${t}`]!, inputs[`yq${t}`]!];
        const support = backend.typedArrayFromHeap(ys) as Int32Array;
        const classes = prototype ? Math.max(...support) + 1 : (headClasses ?? 0);
        const config = conv4Config(xs.shape, filters, classes, a, xq.shape[0]!, a['firstOrder'] === true ? 1 : 0);
        addon.conv4_meta_gradient(
          heapFloats(backend, xs),
          support,
          heapFloats(backend, xq),
          backend.typedArrayFromHeap(yq) as Int32Array,
          theta,
          moments,
          rates,
          adapt,
          weights,
          config,
          Number(a['lr'] ?? 0),
          Number(a['epsilon'] ?? 1e-5),
          1 / tasks,
          grads,
          rateMode === 0 ? null : rateGrads,
          metrics,
        );
      }
    } catch (error) {
      outs.forEach((o) => backend.disposeData(o.dataId));
      throw error;
    }
    return outs;
  };
}
