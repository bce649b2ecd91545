import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveTrainingConfig } from '../../shared/jobs/training-config.ts';
import { sinusoidSource } from './task-source.ts';

test('the sinusoid MLP takes its width from architecture.hiddenUnits (40 by default), never from filters', () => {
  const byDefault = resolveTrainingConfig({ dataset: 'sinusoid' }, () => 1);
  assert.deepEqual(sinusoidSource(byDefault).spec, { kind: 'mlp', inputs: 1, hidden: [40, 40], outputs: 1 });
  const narrow = resolveTrainingConfig({ dataset: 'sinusoid', architecture: { hiddenUnits: 16 } }, () => 1);
  assert.deepEqual(sinusoidSource(narrow).spec, { kind: 'mlp', inputs: 1, hidden: [16, 16], outputs: 1 });
  assert.throws(() => resolveTrainingConfig({ dataset: 'sinusoid', architecture: { filters: 16 } }, () => 1), /hiddenUnits/);
});

test('a job queued before hiddenUnits existed (its width in filters) still trains the width it asked for', () => {
  const current = resolveTrainingConfig({ dataset: 'sinusoid' }, () => 1);
  const { hiddenUnits: _, ...legacyArchitecture } = { ...current.architecture, filters: 24 };
  const legacy = { ...current, architecture: legacyArchitecture } as unknown as typeof current;
  assert.deepEqual(sinusoidSource(legacy).spec, { kind: 'mlp', inputs: 1, hidden: [24, 24], outputs: 1 });
});
