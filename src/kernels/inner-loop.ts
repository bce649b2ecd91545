/**
 * `MamlConv4Adapt` (inference only, no gradient): MAML's first-order inner loop for Conv4 as one
 * wasm-backend kernel on the addon's conv4_adapt (native/kernels/inner_loop.c): K SGD steps on
 * every adapted parameter, forward with saved activations, backward and update in C, instead of
 * ~240 tfjs kernel calls per step. src/core/serving.ts names it and falls back to the reference
 * when it is not registered.
 *
 * Inputs: x [S,H,W,C], labels [S] int32; w0..w3 [3,3,cin,F], gamma0..3, beta0..3 [F]; headW
 * [F,classes], headB [classes] (absent with attrs.prototype); mean0..3, variance0..3 [F] (with
 * attrs.frozen); rate0..rate13 (attrs.rateMode 1: [≥ steps], 2: shaped like the parameter; in
 * parameter order w, γ, β per block, headW, headB) for each adapted parameter.
 * Attrs: stride 1|2, pool, frozen, prototype (booleans), classes, steps, rateMode, lr, epsilon,
 * adapt (14 flags: 0 leaves a parameter as it is).
 * Outputs: the 14 parameters at θ′ (same order), metrics [6] (support loss and accuracy at θ′, ms
 * in forward, backward, update, metrics), then with batch statistics the 8 moments at θ′ on the
 * support set (mean0, variance0, …, [F] each).
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelAddon } from './addon.ts';
import { kernelThreads } from './threads.ts';
import { heapFloats, isWasmBackendLike } from './wasm-heap.ts';

export const CONV4_ADAPT = 'MamlConv4Adapt';

const LAYERS = 4;

export function conv4AdaptKernel(addon: KernelAddon): KernelFunc {
  return (args) => {
    const backend = args.backend;
    if (!isWasmBackendLike(backend)) throw new Error(`${CONV4_ADAPT} runs on the wasm backend only`);
    const inputs = args.inputs as Record<string, TensorInfo | undefined>;
    const a = args.attrs ?? {};
    const { x, labels } = inputs;
    if (x?.shape.length !== 4 || x.dtype !== 'float32' || labels?.dtype !== 'int32') {
      throw new Error(`${CONV4_ADAPT}: expected float32 x [S,H,W,C] and int32 labels [S]`);
    }
    const [images, height, width, channels] = x.shape as [number, number, number, number];
    const filters = inputs['gamma0']?.shape[0] ?? 0;
    const prototype = a['prototype'] === true,
      frozen = a['frozen'] === true,
      pool = a['pool'] === true;
    const classes = Number(a['classes']),
      steps = Number(a['steps']),
      rateMode = Number(a['rateMode'] ?? 0);
    const adapt = Int32Array.from(a['adapt'] as number[]);
    const names = Array.from({ length: LAYERS }, (_, l) => [`w${l}`, `gamma${l}`, `beta${l}`])
      .flat()
      .concat(['headW', 'headB']);
    const shapes: number[][] = names.map((name, i) => (i === 12 ? [filters, classes] : i === 13 ? [classes] : (inputs[name]?.shape ?? [])));
    const outs = shapes.map((shape) => backend.makeOutput(shape, 'float32'));
    outs.push(backend.makeOutput([6], 'float32'));
    const moments = frozen ? [] : Array.from({ length: 2 * LAYERS }, () => backend.makeOutput([filters], 'float32'));
    outs.push(...moments);
    try {
      // Views only now: makeOutput may have grown the heap.
      const view = (t: TensorInfo | undefined) => (t ? heapFloats(backend, t) : null);
      const theta = names.map((name, i) => (prototype && i >= 12 ? null : view(inputs[name])));
      const frozenMoments = frozen ? Array.from({ length: LAYERS }, (_, l) => [view(inputs[`mean${l}`])!, view(inputs[`variance${l}`])!]).flat() : null;
      const rates = rateMode === 0 ? null : names.map((_, i) => view(inputs[`rate${i}`]));
      // the 8 moments come back in one array, copied into their tensors after the call
      const momentsView = frozen ? null : new Float32Array(2 * LAYERS * filters);
      const config = Int32Array.of(
        images,
        height,
        width,
        channels,
        filters,
        classes,
        Number(a['stride']),
        pool ? 1 : 0,
        frozen ? 1 : 0,
        prototype ? 1 : 0,
        steps,
        rateMode,
        kernelThreads(),
      );
      const labelView = backend.typedArrayFromHeap(labels);
      if (!(labelView instanceof Int32Array)) throw new Error(`${CONV4_ADAPT}: labels must be int32`);
      addon.conv4_adapt(
        heapFloats(backend, x),
        labelView,
        theta,
        outs.slice(0, 14).map((o) => heapFloats(backend, o)),
        frozenMoments,
        rates,
        adapt,
        config,
        Number(a['lr'] ?? 0),
        Number(a['epsilon'] ?? 1e-5),
        momentsView,
        heapFloats(backend, outs[14]!),
      );
      if (momentsView) moments.forEach((m, i) => heapFloats(backend, m).set(momentsView.subarray(i * filters, (i + 1) * filters)));
    } catch (error) {
      outs.forEach((o) => backend.disposeData(o.dataId));
      throw error;
    }
    return outs;
  };
}
