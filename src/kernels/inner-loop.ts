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
import { heapFloats, isWasmBackendLike, type WasmBackendLike } from './wasm-heap.ts';

export const CONV4_ADAPT = 'MamlConv4Adapt';

const LAYERS = 4;

/**
 * conv4_config's 13 entries (native/kernels/inner_loop.h) for images of `shape` [S,H,W,C] and the
 * kernel attributes stride, pool, frozen, prototype, steps, rateMode; then `extra` entries.
 */
export function conv4Config(shape: readonly number[], filters: number, classes: number, a: Record<string, unknown>, ...extra: number[]): Int32Array {
  const [images, height, width, channels] = shape as [number, number, number, number];
  const flag = (name: string) => (a[name] === true ? 1 : 0);
  return Int32Array.of(
    images,
    height,
    width,
    channels,
    filters,
    classes,
    Number(a['stride']),
    flag('pool'),
    flag('frozen'),
    flag('prototype'),
    Number(a['steps']),
    Number(a['rateMode'] ?? 0),
    kernelThreads(),
    ...extra,
  );
}

/** θ's input names in the native parameter order: w, gamma, beta per block, then the head. */
export const CONV4_INPUT_NAMES: readonly string[] = Array.from({ length: LAYERS }, (_, l) => [`w${l}`, `gamma${l}`, `beta${l}`])
  .flat()
  .concat(['headW', 'headB']);

/** Heap views of the frozen moments mean0, variance0, …, variance3 (take them after every makeOutput). */
export function frozenMomentViews(backend: WasmBackendLike, inputs: Record<string, TensorInfo | undefined>): Float32Array[] {
  return Array.from({ length: LAYERS }, (_, l) => [heapFloats(backend, inputs[`mean${l}`]!), heapFloats(backend, inputs[`variance${l}`]!)]).flat();
}

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
    const filters = inputs['gamma0']?.shape[0] ?? 0;
    const prototype = a['prototype'] === true,
      frozen = a['frozen'] === true;
    const classes = Number(a['classes']),
      rateMode = Number(a['rateMode'] ?? 0);
    const adapt = Int32Array.from(a['adapt'] as number[]);
    const names = CONV4_INPUT_NAMES;
    const shapes: number[][] = names.map((name, i) => (i === 12 ? [filters, classes] : i === 13 ? [classes] : (inputs[name]?.shape ?? [])));
    const outs = shapes.map((shape) => backend.makeOutput(shape, 'float32'));
    outs.push(backend.makeOutput([6], 'float32'));
    const moments = frozen ? [] : Array.from({ length: 2 * LAYERS }, () => backend.makeOutput([filters], 'float32'));
    outs.push(...moments);
    try {
      // Views only now: makeOutput may have grown the heap.
      const view = (t: TensorInfo | undefined) => (t ? heapFloats(backend, t) : null);
      const theta = names.map((name, i) => (prototype && i >= 12 ? null : view(inputs[name])));
      const frozenMoments = frozen ? frozenMomentViews(backend, inputs) : null;
      const rates = rateMode === 0 ? null : names.map((_, i) => view(inputs[`rate${i}`]));
      // the 8 moments come back in one array, copied into their tensors after the call
      const momentsView = frozen ? null : new Float32Array(2 * LAYERS * filters);
      const config = conv4Config(x.shape, filters, classes, a);
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
