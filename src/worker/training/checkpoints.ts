/**
 * Training checkpoints (resume) and the finished model (serve), both safetensors files in the
 * artifact store. A checkpoint holds the whole meta-state (θ, learned rates, Adam moments and
 * counters); the model holds θ (+ learned inner rates as `inner_lr.<name>`) and the metadata
 * /adapt needs. The job row points at its latest checkpoint only after the file is stored.
 */
import {
  CHECKPOINT_FORMAT,
  decodeCheckpoint,
  encodeCheckpoint,
  LEARNED_LR_PREFIX,
  readParams,
  toParams,
  type CheckpointMetadata,
} from '../../core/checkpoint/index.ts';
import { ALGORITHMS, type LearnedRateShape } from '../../core/kinds.ts';
import { metaStateFromTensors, metaStateTensors, type MetaState } from '../../core/meta/state.ts';
import * as tf from '../../core/tf.ts';
import type { TrainingConfig } from '../../shared/jobs/training-config.ts';
import type { TaskSource } from './task-source.ts';
import { servedZeroHead } from './zero-head.ts';

/** What a file says of its learned inner rates: whether it holds them, and their shape. */
function learnedRatesMetadata(shape: LearnedRateShape): Pick<CheckpointMetadata, 'learnedLearningRates' | 'learnedRateShape'> {
  return shape === 'none' ? { learnedLearningRates: false } : { learnedLearningRates: true, learnedRateShape: shape };
}

function metadataFor(
  config: TrainingConfig,
  source: TaskSource,
  kind: 'training-checkpoint' | 'model',
  extras: Record<string, unknown>,
  spec = source.spec,
): CheckpointMetadata {
  return {
    format: CHECKPOINT_FORMAT,
    spec,
    algorithm: config.algorithm,
    nWay: config.dataset === 'sinusoid' ? null : config.nWay,
    inputShape: [...source.inputShape],
    preprocessing: source.preprocessing,
    ...learnedRatesMetadata(ALGORITHMS[config.algorithm].learnedRates),
    extras: { kind, ...extras },
  };
}

/** The whole meta-state as checkpoint bytes (θ, learned rates, Adam moments and counters). */
export async function checkpointBytes(config: TrainingConfig, source: TaskSource, state: MetaState, iteration: number): Promise<Uint8Array> {
  const tensors = metaStateTensors(state);
  const host = await readParams(tensors);
  tf.dispose([tensors['adam.t']!, tensors['meta.step']!]); // the two counters are fresh scalars
  return encodeCheckpoint(host, metadataFor(config, source, 'training-checkpoint', { iteration }));
}

export function stateFromCheckpoint(bytes: Uint8Array): MetaState {
  const { tensors } = decodeCheckpoint(bytes);
  return metaStateFromTensors(toParams(tensors));
}

/** The servable model file: θ, learned inner rates, and how to adapt at test time. */
export async function modelCheckpoint(config: TrainingConfig, source: TaskSource, state: MetaState, extras: Record<string, unknown>): Promise<Uint8Array> {
  const weights = await readParams(state.params);
  const rates = await readParams(state.rates);
  for (const [name, t] of rates) weights.set(LEARNED_LR_PREFIX + name, t);
  const spec = config.architecture.headInit === 'zero' ? servedZeroHead(source.spec, weights, config.architecture.maxWays) : source.spec;
  return encodeCheckpoint(
    weights,
    metadataFor(config, source, 'model', { inference: { innerLr: config.innerLr, steps: config.testInnerSteps }, training: config, ...extras }, spec),
  );
}
