/** Registers a freshly initialised Conv4 Omniglot-style model (not meta-trained) for API tests. */
import { CHECKPOINT_FORMAT, encodeCheckpoint, readParams } from '../../src/core/checkpoint/index.ts';
import { createNetwork } from '../../src/core/nets/index.ts';
import * as tf from '../../src/core/tf.ts';
import type { NetworkSpec } from '../../src/core/types.ts';
import { OMNIGLOT_MODEL_PREPROCESSING } from '../../src/worker/training/sources.ts';
import type { Db } from '../../src/shared/db/client.ts';
import type { Model } from '../../src/generated/prisma/client.ts';
import { registerModel } from '../../src/shared/models/registry.ts';
import type { ArtifactStore } from '../../src/shared/storage/artifact-store.ts';

/**
 * headInit 'prototype' makes a model like the pipeline's: frozen normalisation (moments of a
 * forward pass over random drawings-like inputs), no stored head, any number of classes.
 */
export async function testCheckpoint(
  options: { nWay?: number; headInit?: 'random' | 'zero' | 'prototype'; outputs?: number; seed?: number; filters?: number; only?: readonly string[] } = {},
): Promise<Uint8Array> {
  const nWay = options.nWay ?? 5;
  const prototype = options.headInit === 'prototype';
  const spec: NetworkSpec = {
    kind: 'conv4',
    variant: 'strided',
    inputSize: 28,
    channels: 1,
    filters: options.filters ?? 16,
    outputs: options.outputs ?? nWay,
    headInit: options.headInit ?? 'random',
    ...(prototype ? { normalization: 'frozen' as const } : {}),
  };
  const params = createNetwork(spec).init(options.seed ?? 1);
  if (prototype) {
    // Moments of a batch-statistics forward pass: the frozen network then normalises like a trained one.
    const batchNet = createNetwork({ ...spec, normalization: 'batch' });
    const x = tf.randomUniform([64, 28, 28, 1], 0, 1, 'float32', options.seed ?? 1);
    const moments = batchNet.moments!(params, x);
    moments.forEach((m, i) => {
      params[`block${i}.bn.running_mean`]!.dispose();
      params[`block${i}.bn.running_var`]!.dispose();
      params[`block${i}.bn.running_mean`] = m.mean;
      params[`block${i}.bn.running_var`] = m.variance;
    });
    x.dispose();
  }
  const tensors = await readParams(params);
  tf.dispose(Object.values(params));
  return encodeCheckpoint(tensors, {
    format: CHECKPOINT_FORMAT,
    spec,
    algorithm: prototype ? 'proto-maml' : 'maml',
    nWay: prototype ? null : nWay,
    inputShape: [28, 28, 1],
    preprocessing: OMNIGLOT_MODEL_PREPROCESSING,
    learnedLearningRates: false,
    extras: { inference: prototype ? { innerLr: 0.01, steps: 1, ...(options.only ? { only: options.only } : {}) } : { innerLr: 0.4, steps: 5 } },
  });
}

export async function registerTestModel(
  db: Db,
  store: ArtifactStore,
  options: Parameters<typeof testCheckpoint>[0] & { name?: string; makeDefault?: boolean } = {},
): Promise<Model> {
  return registerModel(db, store, {
    name: options.name ?? 'test-conv4',
    checkpoint: await testCheckpoint(options),
    makeDefault: options.makeDefault ?? true,
  });
}
