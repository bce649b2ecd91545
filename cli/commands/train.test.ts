import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../exit-codes.ts';
import { curvePoints } from '../train/summary.ts';
import { trainingConfig } from './train.ts';

test('flags map to TrainingConfigInput fields and override a --config file', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'maml-train-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'config.json');
  await writeFile(file, JSON.stringify({ dataset: 'omniglot', nWay: 20, iterations: 100, architecture: { variant: 'maxpool' } }));
  assert.deepEqual(await trainingConfig({ config: file, ways: 5, shots: 1, metaBatchSize: 8, rotations: false, filters: 32 }), {
    dataset: 'omniglot',
    nWay: 5,
    kShot: 1,
    iterations: 100,
    metaBatchSize: 8,
    rotations: false,
    architecture: { variant: 'maxpool', filters: 32 },
  });
  assert.deepEqual(await trainingConfig({ dataset: 'sinusoid', iterations: 20, innerLr: 0.01, seed: 0 }), {
    dataset: 'sinusoid',
    iterations: 20,
    innerLr: 0.01,
    seed: 0,
  });
  await assert.rejects(trainingConfig({ ways: 5 }), UsageError);
  await writeFile(file, '{ not json');
  await assert.rejects(trainingConfig({ config: file }), (e: unknown) => e instanceof UsageError && e.message.startsWith(`--config ${file}:`));
  await writeFile(file, '[1]');
  await assert.rejects(trainingConfig({ config: file, dataset: 'omniglot' }), /must hold a JSON object/);
});

test('the curve: streamed validations plus the final one; accuracy when there is any, else loss', () => {
  const streamed = [{ iteration: 10, accuracy: 0.5, ci95: 0.1, loss: 1.2 }];
  assert.deepEqual(curvePoints(streamed, { accuracy: 0.7, loss: 0.9 }, 20), {
    metric: 'accuracy',
    points: [
      { x: 10, y: 0.5 },
      { x: 20, y: 0.7 },
    ],
  });
  const regression = [{ iteration: 10, accuracy: null, ci95: null, loss: 1.2 }];
  assert.deepEqual(curvePoints(regression, { accuracy: null, loss: 0.4 }, 20), {
    metric: 'loss',
    points: [
      { x: 10, y: 1.2 },
      { x: 20, y: 0.4 },
    ],
  });
  assert.deepEqual(curvePoints([], undefined, 20).points, []);
});
