/** Registers a freshly initialised Conv4 Omniglot-style model (not meta-trained) for API tests. */
import { CHECKPOINT_FORMAT, encodeCheckpoint, readParams } from '../../src/core/checkpoint/index.ts';
import { createNetwork } from '../../src/core/nets/index.ts';
import * as tf from '../../src/core/tf.ts';
import type { NetworkSpec } from '../../src/core/types.ts';
import { OMNIGLOT_MODEL_PREPROCESSING } from '../../src/training/sources.ts';
import type { Db } from '../../src/db/client.ts';
import type { Model } from '../../src/generated/prisma/client.ts';
import { registerModel } from '../../src/models/registry.ts';
import type { ArtifactStore } from '../../src/storage/artifact-store.ts';


export async function testCheckpoint(options: { nWay?: number; headInit?: 'random' | 'zero'; outputs?: number; seed?: number; filters?: number } = {}): Promise<Uint8Array> {
  const nWay = options.nWay ?? 5;
  const spec: NetworkSpec = {
    kind: 'conv4',
    variant: 'strided',
    inputSize: 28,
    channels: 1,
    filters: options.filters ?? 16,
    outputs: options.outputs ?? nWay,
    headInit: options.headInit ?? 'random',
  };
  const params = createNetwork(spec).init(options.seed ?? 1);
  const tensors = await readParams(params);
  tf.dispose(Object.values(params));
  return encodeCheckpoint(tensors, {
    format: CHECKPOINT_FORMAT,
    spec,
    algorithm: 'maml',
    nWay,
    inputShape: [28, 28, 1],
    preprocessing: OMNIGLOT_MODEL_PREPROCESSING,
    learnedLearningRates: false,
    extras: { inference: { innerLr: 0.4, steps: 5 } },
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
