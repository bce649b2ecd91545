/**
 * A registered model ready to serve: its network, θ as tensors (kept for the thread's lifetime)
 * and as host arrays (for the session codec), and how to adapt it at test time.
 */
import { decodeCheckpoint, LEARNED_LR_PREFIX, toParams, type CheckpointMetadata } from '../../core/checkpoint/index.ts';
import { algorithmCapabilities, innerRate } from '../../core/kinds.ts';
import { createNetwork } from '../../core/nets/index.ts';
import type { InnerLearningRate } from '../../core/adapt.ts';
import * as tf from '../../core/tf.ts';
import type { Network, Params } from '../../core/types.ts';
import type { HostTensor } from '../sessions/codec.ts';

/** Test-time adaptation settings a checkpoint carries in `extras.inference`. */
export interface InferenceSettings {
  readonly innerLr: number;
  readonly steps: number;
  /** Adapt the head alone by default (the model recorded `only`: its head's parameters). */
  readonly headOnly: boolean;
}

export const DEFAULT_INFERENCE: InferenceSettings = { innerLr: 0.4, steps: 3, headOnly: false };

export function inferenceSettings(metadata: CheckpointMetadata): InferenceSettings {
  const raw = (metadata.extras['inference'] ?? {}) as Partial<InferenceSettings> & { only?: unknown };
  const innerLr = typeof raw.innerLr === 'number' && raw.innerLr > 0 ? raw.innerLr : DEFAULT_INFERENCE.innerLr;
  const steps = Number.isInteger(raw.steps) && raw.steps! > 0 ? raw.steps! : DEFAULT_INFERENCE.steps;
  const headOnly = Array.isArray(raw.only) && raw.only.length > 0 && raw.only.every((name) => typeof name === 'string' && name.startsWith('head.'));
  return { innerLr, steps, headOnly };
}

export interface ServingModel {
  readonly sha256: string;
  readonly metadata: CheckpointMetadata;
  readonly net: Network;
  readonly params: Params;
  readonly host: ReadonlyMap<string, HostTensor>;
  /** Learned inner rates (Meta-SGD / MAML++) when the checkpoint has them, else the scalar rate. */
  readonly lr: InnerLearningRate;
  readonly settings: InferenceSettings;
}

export function loadServingModel(bytes: Uint8Array, sha256: string): ServingModel {
  const { tensors, metadata } = decodeCheckpoint(bytes);
  const net = createNetwork(metadata.spec);
  const weights = new Map([...tensors].filter(([name]) => !name.startsWith(LEARNED_LR_PREFIX)));
  const rates = new Map([...tensors].filter(([name]) => name.startsWith(LEARNED_LR_PREFIX)).map(([name, t]) => [name.slice(LEARNED_LR_PREFIX.length), t]));
  const params = toParams(weights);
  const host = new Map([...weights].map(([name, t]) => [name, { shape: t.shape, data: Float32Array.from(t.data as Float32Array) }]));
  const settings = inferenceSettings(metadata);
  let lr: InnerLearningRate = settings.innerLr;
  if (metadata.learnedLearningRates && rates.size > 0) {
    // The shape the file records, else (files from before it did) its algorithm's (src/core/kinds.ts);
    // only a file older than both, of an algorithm this service does not know, is read by its shapes.
    const legacy = () => ([...rates].every(([name, t]) => t.shape.join() === weights.get(name)?.shape.join()) ? 'perParameter' : 'perStep');
    const shape = metadata.learnedRateShape ?? algorithmCapabilities(metadata.algorithm)?.learnedRates ?? legacy();
    if (shape !== 'none') lr = innerRate(shape, toParams(rates), settings.innerLr);
  }
  return { sha256, metadata, net, params, host, lr, settings };
}

export function disposeServingModel(model: ServingModel): void {
  tf.dispose(Object.values(model.params));
  if (typeof model.lr !== 'number') tf.dispose(Object.values('perStep' in model.lr ? model.lr.perStep : model.lr.perParameter));
}
