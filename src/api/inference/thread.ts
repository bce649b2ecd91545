/**
 * An inference thread (piscina worker): its own TensorFlow.js backend (with the native kernels on
 * wasm) and an LRU of loaded models; runs adaptation and prediction for the API. It reads weights
 * from the API's local weights folder, which the pool fills before dispatch. What is not the
 * thread's fault (a bad image, an unreadable session, weights gone) returns as a typed refusal.
 */
import { workerData } from 'node:worker_threads';
import { adapt, predict } from '../../core/adapt.ts';
import { adaptFast, foldCacheTensors, predictFast } from '../../core/serving.ts';
import { nativeFloat16, setKernelThreads } from '../../kernels/index.ts';
import * as tf from '../../core/tf.ts';
import type { Params } from '../../core/types.ts';
import { decodeTheta, encodeTheta, ThetaCodecError, type HostMoments, type HostTensor } from '../sessions/codec.ts';
import type { NormalizationMoments } from '../../core/types.ts';
import { ArtifactCorruptError, ArtifactNotFoundError } from '../../shared/storage/artifact-store.ts';
import { FsArtifactStore } from '../../shared/storage/fs-artifact-store.ts';
import { selectBackend, type BackendChoice } from '../../tf/backend.ts';
import { checkImageSize, ImageTooLargeError, InvalidImageError, preprocessImage } from '../../data/image/preprocess.ts';
import {
  epochMs,
  InferenceRefusedError,
  shared,
  type AdaptRequest,
  type AdaptResponse,
  type ImageBatch,
  type InferenceRequest,
  type PredictRequest,
  type PredictResponse,
  type RefusedResponse,
} from './protocol.ts';
import { disposeServingModel, loadServingModel, type ServingModel } from './serving-model.ts';

const { weightsDir, backend, precision } = workerData as { weightsDir: string; backend: BackendChoice; precision: 'float16' | 'float32' };
const ready = selectBackend(backend);
const store = new FsArtifactStore(weightsDir);
const MAX_MODELS = 4;
/** θ′'s float16 difference made and added back in native code when the addon is built (the same bits as the codec's own). */
const float16 = nativeFloat16();
const models = new Map<string, Promise<ServingModel>>();

async function model(sha256: string): Promise<ServingModel> {
  let entry = models.get(sha256);
  if (entry) {
    models.delete(sha256); // re-insert: most recently used last
  } else {
    entry = store.get(sha256).then((bytes) => loadServingModel(bytes, sha256));
    entry.catch(() => models.delete(sha256));
  }
  models.set(sha256, entry);
  while (models.size > MAX_MODELS) {
    const [oldest, evicted] = models.entries().next().value as [string, Promise<ServingModel>];
    models.delete(oldest);
    void evicted.then(disposeServingModel, () => undefined);
  }
  return entry;
}

/** θ (tensors and host arrays) with the head cut to the first `ways` output units. */
function forWays(m: ServingModel, ways: number): { params: Params; host: Map<string, HostTensor> } {
  const host = new Map(m.host);
  const params: Params = { ...m.params };
  const headWeight = m.host.get('head.weight');
  if (headWeight && headWeight.shape[1] !== ways) {
    const [features, outputs] = headWeight.shape as [number, number];
    const data = new Float32Array(features * ways);
    for (let f = 0; f < features; f++) data.set(headWeight.data.subarray(f * outputs, f * outputs + ways), f * ways);
    host.set('head.weight', { shape: [features, ways], data });
    host.set('head.bias', { shape: [ways], data: m.host.get('head.bias')!.data.slice(0, ways) });
    params['head.weight'] = tf.tensor2d(data, [features, ways]);
    params['head.bias'] = tf.tensor1d(host.get('head.bias')!.data);
  }
  return { params, host };
}

/** Disposes the head slices forWays made (never θ itself). */
function releaseHead(m: ServingModel, params: Params): void {
  for (const name of ['head.weight', 'head.bias']) if (params[name] !== m.params[name]) params[name]?.dispose();
}

/** Header check of every file first (no decoding of an oversized image), then preprocessing. */
async function decodeImages(m: ServingModel, batch: ImageBatch): Promise<{ x: tf.Tensor4D; ms: number }> {
  const started = performance.now();
  const [h, w, c] = m.metadata.inputShape as [number, number, number];
  const out = new Float32Array(batch.files.length * h * w * c);
  for (const [index, file] of batch.files.entries()) {
    const name = batch.names?.[index];
    const image = name === undefined ? `image ${index}` : `image ${index} (${name})`;
    try {
      await checkImageSize(file, batch.maxPixels);
      out.set(await preprocessImage(file, batch.preprocessing), index * h * w * c);
    } catch (error) {
      if (error instanceof ImageTooLargeError) throw new InferenceRefusedError('image-too-large', `${image}: ${error.message}`);
      if (error instanceof InvalidImageError) throw new InferenceRefusedError('unsupported-image', `${image} is not a readable PNG, JPEG or WebP image`);
      throw error;
    }
  }
  return { x: tf.tensor4d(out, [batch.files.length, h, w, c]), ms: performance.now() - started };
}

async function runAdapt(request: AdaptRequest, queueMs: number): Promise<AdaptResponse> {
  const m = await model(request.model.sha256);
  const { x, ms: decodeMs } = await decodeImages(m, request.images);
  const started = performance.now();
  const { params, host } = forWays(m, request.ways);
  const y = tf.tensor1d(request.labels, 'int32');
  const only = request.headOnly ? m.net.headNames : undefined;
  try {
    const options = { steps: request.steps, lr: m.lr, ...(only ? { only } : {}) };
    // Conv4: the fast path (src/core/serving.ts: head-only on the folded body, all layers in one
    // native inner-loop call that also returns θ′'s support moments); else the reference.
    const result = adaptFast(m.net, params, { x, y }, { ...options, moments: true }) ?? adapt(m.net, params, { x, y }, options);
    const buffers = new Set(m.net.buffers ?? []);
    const changed = only ?? Object.keys(result.params).filter((name) => !buffers.has(name));
    const adapted = new Map<string, HostTensor>();
    for (const name of changed) adapted.set(name, { shape: result.params[name]!.shape, data: result.params[name]!.dataSync() as Float32Array });
    // The adapted network's batch norm moments on the support set: /predict normalises with them
    // (networks with frozen moments have no `moments`: their normalisation is part of θ).
    const moments = result.moments ?? m.net.moments?.(result.params, x) ?? [];
    const hostMoments: HostMoments[] = moments.map((l) => ({ mean: l.mean.dataSync() as Float32Array, variance: l.variance.dataSync() as Float32Array }));
    tf.dispose([...Object.values(result.params), ...moments.flatMap((l) => [l.mean, l.variance])]);
    const encodeStarted = performance.now();
    const theta = shared(encodeTheta(host, adapted, m.sha256, precision, hostMoments, m.net.headNames, float16));
    const done = performance.now();
    return {
      theta,
      loss: result.supportLoss,
      accuracy: result.supportAccuracy ?? 0,
      decodeMs,
      adaptMs: done - started,
      encodeMs: done - encodeStarted,
      queueMs,
    };
  } finally {
    tf.dispose([x, y]);
    releaseHead(m, params);
  }
}

async function runPredict(request: PredictRequest, queueMs: number): Promise<PredictResponse> {
  const m = await model(request.model.sha256);
  const { x, ms: decodeMs } = await decodeImages(m, request.images);
  const started = performance.now();
  const { params, host } = forWays(m, request.ways);
  try {
    const adapted = decodeTheta(request.theta, host, m.sha256, m.net.headNames, float16);
    const thetaMs = performance.now() - started;
    const probabilities = tf.tidy(() => {
      const theta: Params = { ...params };
      for (const [name, t] of adapted.params) theta[name] = tf.tensor(t.data, [...t.shape]);
      // Each image normalised with the support set's moments: its answer does not depend on the
      // other images of the request (sessions made before the moments were stored: batch statistics).
      const moments: NormalizationMoments | undefined = adapted.moments?.map((l) => ({ mean: tf.tensor1d(l.mean), variance: tf.tensor1d(l.variance) }));
      return (predictFast(m.net, theta, x, moments ? { moments } : {}) ?? predict(m.net, theta, x, moments ? { moments } : {})).dataSync() as Float32Array;
    });
    return { probabilities, decodeMs, predictMs: performance.now() - started, thetaMs, queueMs };
  } finally {
    x.dispose();
    releaseHead(m, params);
  }
}

/** The errors a request may meet that are not the thread's fault, as data the API maps by reason. */
function refusalOf(error: unknown): RefusedResponse['refused'] | null {
  if (error instanceof InferenceRefusedError) return { reason: error.reason, message: error.message };
  // A session whose stored θ′ cannot be read: the client's to redo, not a server fault.
  if (error instanceof ThetaCodecError) return { reason: 'session-unreadable', message: `${error.message}; adapt a new session` };
  // The API made sure the weights were in the folder (src/api/inference/pool.ts); gone or damaged since.
  if (error instanceof ArtifactNotFoundError || error instanceof ArtifactCorruptError)
    return { reason: 'weights-unavailable', message: `the model's weights cannot be read (${error.message}); retry` };
  return null;
}

export default async function run(request: InferenceRequest): Promise<AdaptResponse | PredictResponse | RefusedResponse | { tensors: number }> {
  await ready;
  const queueMs = request.kind === 'memory' ? 0 : Math.max(0, epochMs() - request.submittedAt);
  const previousThreads = request.kind === 'memory' ? undefined : setKernelThreads(request.kernelThreads ?? 1);
  try {
    if (request.kind === 'adapt') return await runAdapt(request, queueMs);
    if (request.kind === 'predict') return await runPredict(request, queueMs);
  } catch (error) {
    const refusal = refusalOf(error);
    if (refusal) return { refused: refusal };
    throw error;
  } finally {
    if (previousThreads !== undefined) setKernelThreads(previousThreads);
  }
  // The fold cache (src/core/serving.ts) is a cache like the model cache: not counted as live.
  return { tensors: tf.memory().numTensors - foldCacheTensors() };
}
