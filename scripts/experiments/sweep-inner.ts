/**
 * Experiment (issue 15): /adapt settings of a pipeline checkpoint's best θ on the *validation*
 * alphabets (never the test): steps × inner rate × adapted layers, N-way K-shot, each image alone
 * (frozen normalisation). Reads <prefix>.checkpoint.safetensors as written by `npm run train --keep`.
 *   npx tsx scripts/experiments/sweep-inner.ts models/training/omniglot --ways 20 --tasks 100
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { decodeCheckpoint, toParams } from '../../src/core/checkpoint/index.ts';
import { evaluate } from '../../src/core/evaluate.ts';
import { conv4 } from '../../src/core/nets/conv4.ts';
import { buildImageTask, drawTaskPlans } from '../../src/core/tasks/index.ts';
import * as tf from '../../src/core/tf.ts';
import type { NetworkSpec, Params } from '../../src/core/types.ts';
import { loadOmniglot } from '../../src/data/omniglot/index.ts';
import { selectBackend } from '../../src/tf/backend.ts';
import { OMNIGLOT_MODEL_PREPROCESSING } from '../../src/worker/training/sources.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    ways: { type: 'string', default: '20' },
    shots: { type: 'string', default: '1' },
    tasks: { type: 'string', default: '100' },
    steps: { type: 'string', default: '0,1,3' },
    lrs: { type: 'string', default: '0.001,0.003,0.01,0.03,0.1' },
  },
});
await selectBackend('wasm');
const { tensors, metadata } = decodeCheckpoint(new Uint8Array(await readFile(`${positionals[0]}.checkpoint.safetensors`)));
const all = toParams(tensors);
const best: Params = Object.fromEntries(
  Object.entries(all)
    .filter(([n]) => n.startsWith('best.'))
    .map(([n, t]) => [n.slice(5), t]),
);
const net = conv4(metadata.spec as Extract<NetworkSpec, { kind: 'conv4' }>);
const data = await loadOmniglot({
  dir: process.env.OMNIGLOT_DIR ?? '../shared/data/omniglot',
  cacheDir: '.data/cache',
  preprocessing: OMNIGLOT_MODEL_PREPROCESSING,
});
const shape = { nWay: Number(values.ways), kShot: Number(values.shots), queries: 5 };
const plans = drawTaskPlans(data.validation, shape, 4242, Number(values.tasks));
console.log(JSON.stringify({ cursor: (metadata.extras as { cursor: unknown }).cursor, setting: shape }));
for (const adapt of ['all', 'head'] as const) {
  for (const steps of values.steps.split(',').map(Number)) {
    for (const lr of steps === 0 ? [0] : values.lrs.split(',').map(Number)) {
      if (adapt === 'head' && steps === 0) continue;
      const started = performance.now();
      const e = evaluate(net, best, plans.length, (i) => buildImageTask(data.validation, plans[i]!), {
        steps,
        lr,
        ...(adapt === 'head' ? { only: net.headNames } : {}),
      });
      console.log(
        JSON.stringify({
          adapt,
          steps,
          lr,
          accuracy: +(e.accuracy!.mean * 100).toFixed(2),
          ci95: +(e.accuracy!.ci95 * 100).toFixed(2),
          loss: +e.loss.mean.toFixed(3),
          seconds: Math.round((performance.now() - started) / 100) / 10,
        }),
      );
    }
  }
}
tf.dispose(Object.values(all));
