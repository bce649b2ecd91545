import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALGORITHMS, META_ALGORITHMS, NETWORK_KINDS, NETWORKS, STAGE_ALGORITHMS, innerRate, servableWays } from './kinds.ts';
import { createMetaAlgorithm, disposeMetaState, type MetaAlgorithmConfig } from './meta/index.ts';
import { createNetwork } from './nets/index.ts';
import * as tf from './tf.ts';
import type { NetworkSpec } from './types.ts';

const SPECS: { readonly [K in NetworkSpec['kind']]: Extract<NetworkSpec, { kind: K }> } = {
  conv4: { kind: 'conv4', variant: 'strided', inputSize: 8, channels: 1, filters: 2, outputs: 5, headInit: 'random' },
  mlp: { kind: 'mlp', inputs: 1, hidden: [4], outputs: 1 },
};

test('every network kind has capabilities, creates a network, and serves the classes its capabilities say', () => {
  assert.deepEqual(NETWORK_KINDS, Object.keys(SPECS));
  for (const kind of NETWORK_KINDS) {
    const net = createNetwork(SPECS[kind]);
    assert.equal(net.spec.kind, kind);
    const ways = servableWays(SPECS[kind], 3);
    assert.deepEqual(ways, NETWORKS[kind].ways === 'up-to-outputs' ? { min: 2, max: SPECS[kind].outputs } : { min: 3, max: 3 });
  }
  assert.equal(NETWORKS.conv4.output, 'softmax');
  assert.equal(NETWORKS.mlp.output, 'regression');
});

test("each algorithm's learned rates have the shape its capabilities say (none, [steps], or the parameter's)", () => {
  const net = createNetwork(SPECS.mlp);
  const params = net.init(1);
  const base = { innerSteps: 3, innerLr: 0.01, optimizer: { kind: 'adam', lr: 0.001 } } as const;
  for (const name of META_ALGORITHMS) {
    const config = (name === 'mamlpp' ? { kind: name, ...base, multiStepLossSteps: 1, firstOrderSteps: 0 } : { kind: name, ...base }) as MetaAlgorithmConfig;
    const state = createMetaAlgorithm(config).init(params);
    const shape = ALGORITHMS[name].learnedRates;
    const names = Object.keys(state.rates);
    if (shape === 'none') assert.deepEqual(names, [], name);
    else {
      assert.deepEqual(names.sort(), Object.keys(params).sort(), name);
      for (const [param, rate] of Object.entries(state.rates))
        assert.deepEqual(rate.shape, shape === 'perStep' ? [3] : params[param]!.shape, `${name} ${param}`);
      const lr = innerRate(shape, state.rates, 0.01);
      assert.ok(typeof lr !== 'number' && shape in lr, name);
    }
    disposeMetaState(state);
  }
  tf.dispose(Object.values(params));
  assert.equal(innerRate('perStep', {}, 0.5), 0.5);
});

test('a staged pipeline stage takes the algorithms marked as stages: maml and fomaml', () => {
  assert.deepEqual(STAGE_ALGORITHMS, ['maml', 'fomaml']);
});
