/**
 * The structured metadata of a checkpoint, stored as one JSON string under
 * __metadata__[MAML_METADATA_KEY] of the safetensors file (safetensors metadata is string→string).
 */
import type { NetworkKind } from '../kinds.ts';
import type { NetworkSpec, Preprocessing } from '../types.ts';
import { InvalidCheckpointMetadataError, MissingCheckpointMetadataError } from './errors.ts';

export const MAML_METADATA_KEY = 'maml';
export const CHECKPOINT_FORMAT = 'maml-service/checkpoint@1';

export interface CheckpointMetadata {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly spec: NetworkSpec;
  /** How the weights were meta-trained, e.g. 'maml', 'fomaml', 'anil'. */
  readonly algorithm: string;
  /** Classes per task the model was meta-trained for; null for regression. */
  readonly nWay: number | null;
  /** Network input without the batch axis: [height, width, channels] for images, [features] for rows. */
  readonly inputShape: readonly number[];
  /** Image preprocessing; null for non-image inputs. */
  readonly preprocessing: Preprocessing | null;
  /** Per-parameter inner learning rates are stored as tensors (LEARNED_LR_PREFIX + parameter name). */
  readonly learnedLearningRates: boolean;
  /**
   * Their shape (src/core/kinds.ts): 'perStep' ([steps] per parameter, MAML++) or 'perParameter'
   * (shaped like the parameter, Meta-SGD). Written with learned rates; files from before it existed
   * are read by their algorithm's capabilities.
   */
  readonly learnedRateShape?: 'perStep' | 'perParameter';
  /** Free-form JSON (training config, metrics, provenance). */
  readonly extras: Readonly<Record<string, unknown>>;
}

type Json = Record<string, unknown>;

function fail(field: string, actual: unknown, expected: string): never {
  throw new InvalidCheckpointMetadataError(field, actual, expected);
}

function object(value: unknown, field: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(field, value, 'an object');
  return value as Json;
}

function positiveInteger(value: unknown, field: string): number {
  if (!Number.isSafeInteger(value) || (value as number) <= 0) fail(field, value, 'a positive integer');
  return value as number;
}

function oneOf<T>(value: unknown, field: string, options: readonly T[]): T {
  if (!options.includes(value as T)) fail(field, value, `one of ${options.map((o) => JSON.stringify(o)).join(', ')}`);
  return value as T;
}

/** Each network kind's spec fields, checked (exhaustive: a new kind in NetworkSpec must be added here). */
const SPEC_CHECKS: { readonly [K in NetworkKind]: (spec: Json) => void } = {
  conv4(spec) {
    oneOf(spec['variant'], 'spec.variant', ['maxpool', 'strided']);
    oneOf(spec['headInit'], 'spec.headInit', ['random', 'zero', 'prototype']);
    if (spec['normalization'] !== undefined) oneOf(spec['normalization'], 'spec.normalization', ['batch', 'frozen']);
    for (const field of ['inputSize', 'channels', 'filters', 'outputs']) positiveInteger(spec[field], `spec.${field}`);
  },
  mlp(spec) {
    positiveInteger(spec['inputs'], 'spec.inputs');
    positiveInteger(spec['outputs'], 'spec.outputs');
    if (!Array.isArray(spec['hidden'])) fail('spec.hidden', spec['hidden'], 'an array of positive integers');
    (spec['hidden'] as unknown[]).forEach((h, i) => positiveInteger(h, `spec.hidden[${i}]`));
  },
};

function validateSpec(value: unknown): NetworkSpec {
  const spec = object(value, 'spec');
  const kinds = Object.keys(SPEC_CHECKS) as NetworkKind[];
  if (!kinds.includes(spec['kind'] as NetworkKind)) fail('spec.kind', spec['kind'], kinds.map((k) => JSON.stringify(k)).join(' or '));
  SPEC_CHECKS[spec['kind'] as NetworkKind](spec);
  return spec as unknown as NetworkSpec;
}

function validatePreprocessing(value: unknown): Preprocessing | null {
  if (value === null) return null;
  const p = object(value, 'preprocessing');
  positiveInteger(p['size'], 'preprocessing.size');
  oneOf(p['channels'], 'preprocessing.channels', [1, 3]);
  if (typeof p['invert'] !== 'boolean') fail('preprocessing.invert', p['invert'], 'a boolean');
  oneOf(p['resize'], 'preprocessing.resize', ['area']);
  const n = object(p['normalisation'], 'preprocessing.normalisation');
  if (!Number.isFinite(n['mean'])) fail('preprocessing.normalisation.mean', n['mean'], 'a finite number');
  if (!Number.isFinite(n['std']) || (n['std'] as number) <= 0) fail('preprocessing.normalisation.std', n['std'], 'a positive number');
  return p as unknown as Preprocessing;
}

/** Checks untrusted metadata (e.g. parsed from a file) field by field. */
export function validateCheckpointMetadata(value: unknown): CheckpointMetadata {
  const m = object(value, 'metadata');
  oneOf(m['format'], 'format', [CHECKPOINT_FORMAT]);
  validateSpec(m['spec']);
  if (typeof m['algorithm'] !== 'string' || m['algorithm'] === '') fail('algorithm', m['algorithm'], 'a non-empty string');
  if (m['nWay'] !== null) positiveInteger(m['nWay'], 'nWay');
  if (!Array.isArray(m['inputShape']) || m['inputShape'].length === 0) fail('inputShape', m['inputShape'], 'a non-empty array');
  (m['inputShape'] as unknown[]).forEach((d, i) => positiveInteger(d, `inputShape[${i}]`));
  validatePreprocessing(m['preprocessing']);
  if (typeof m['learnedLearningRates'] !== 'boolean') fail('learnedLearningRates', m['learnedLearningRates'], 'a boolean');
  if (m['learnedRateShape'] !== undefined) oneOf(m['learnedRateShape'], 'learnedRateShape', ['perStep', 'perParameter']);
  object(m['extras'], 'extras');
  return m as unknown as CheckpointMetadata;
}

export function serializeCheckpointMetadata(metadata: CheckpointMetadata): string {
  return JSON.stringify(validateCheckpointMetadata(metadata));
}

/** Reads the structured metadata out of a safetensors string→string metadata map. */
export function parseCheckpointMetadata(metadata: Readonly<Record<string, string>>): CheckpointMetadata {
  const text = Object.hasOwn(metadata, MAML_METADATA_KEY) ? metadata[MAML_METADATA_KEY] : undefined;
  if (text === undefined) throw new MissingCheckpointMetadataError(MAML_METADATA_KEY, Object.keys(metadata));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    fail(MAML_METADATA_KEY, text.slice(0, 80), 'a JSON document');
  }
  return validateCheckpointMetadata(parsed);
}
