/**
 * Experiment (issue 15): what each ingredient of a pipeline model buys, on the same 600 test tasks
 * per setting as `npm run bench:accuracy` (seed 600, 5 queries per class, evaluation alphabets).
 * For a model file with a frozen-normalisation body and a prototype head it measures:
 *  - served:       the model as /adapt runs it (its recorded steps, rate, adapted layers);
 *  - prototypes:   the prototype head alone, no gradient step (a prototypical network);
 *  - zero head:    no prototype initialisation: a zero head trained by head-only steps on the support
 *                  set (steps and rate chosen on 150 5-way 1-shot *validation* tasks, never the test);
 *  - support BN:   the same weights with batch norm normalised by the support set's moments (MetaBN),
 *                  each query alone; and with the query batch's statistics (transductive, as MAML
 *                  papers evaluate).
 * Each image alone everywhere except the transductive row. One JSON line per result.
 *   npx tsx scripts/experiments/ablation.ts models/omniglot.safetensors [--tasks 600] [--settings 5w1s,...]
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { evaluate } from '../../src/core/evaluate.ts';
import { createNetwork } from '../../src/core/nets/create.ts';
import { buildImageTask, drawTaskPlans, type ImageStore } from '../../src/core/tasks/index.ts';
import * as tf from '../../src/core/tf.ts';
import type { Network, NetworkSpec, Params } from '../../src/core/types.ts';
import { loadOmniglot } from '../../src/data/omniglot/index.ts';
import { loadServingModel } from '../../src/api/inference/serving-model.ts';
import { selectBackend } from '../../src/tf/backend.ts';
import { loadEvaluationSet, PAPER_SETTINGS, settingName, taskPlans } from '../../bench/accuracy/evaluate.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    tasks: { type: 'string', default: '600' },
    seed: { type: 'string', default: '600' },
    settings: { type: 'string', default: PAPER_SETTINGS.map(settingName).join(',') },
  },
});
await selectBackend('wasm');
const file = positionals[0] ?? 'models/omniglot.safetensors';
const model = loadServingModel(new Uint8Array(await readFile(file)), path.basename(file));
const spec = model.metadata.spec as Extract<NetworkSpec, { kind: 'conv4' }>;
if (spec.kind !== 'conv4' || spec.headInit !== 'prototype' || spec.normalization !== 'frozen')
  throw new Error(`${file}: the ablation needs a frozen-normalisation Conv4 with a prototype head`);
const omniglot = process.env.OMNIGLOT_DIR ?? '../shared/data/omniglot';
const set = await loadEvaluationSet(omniglot, model, '.data/cache');
const validation = (await loadOmniglot({ dir: omniglot, cacheDir: '.data/cache', preprocessing: model.metadata.preprocessing! })).validation;
const tasks = Number(values.tasks);
const name = path.basename(file, '.safetensors');
const log = (row: object) => console.log(JSON.stringify({ model: name, ...row }));

/** θ without the frozen moments: batch norm normalises with whatever batch it is given. */
const batchSpec = { ...spec, normalization: 'batch' } as NetworkSpec;
const batchNet = createNetwork(batchSpec);
const batchParams: Params = Object.fromEntries(Object.entries(model.params).filter(([n]) => !model.net.buffers?.includes(n)));

/** The body with a zero head of `ways` outputs, trained per task by head-only steps. */
function zeroHead(ways: number): { net: Network; params: Params; owned: tf.Tensor[] } {
  const net = createNetwork({ ...spec, headInit: 'zero', outputs: ways } as NetworkSpec);
  const head = { 'head.weight': tf.zeros([spec.filters, ways]), 'head.bias': tf.zeros([ways]) };
  return { net, params: { ...model.params, ...head }, owned: Object.values(head) };
}

function accuracy(net: Network, params: Params, store: ImageStore, plans: ReturnType<typeof drawTaskPlans>, options: Parameters<typeof evaluate>[4]) {
  const started = performance.now();
  const e = evaluate(net, params, plans.length, (i) => buildImageTask(store, plans[i]!), options);
  return {
    accuracy: +(e.accuracy!.mean * 100).toFixed(2),
    ci95: +(e.accuracy!.ci95 * 100).toFixed(2),
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
}

// The zero head's steps and rate, chosen on validation tasks (5-way 1-shot, each image alone).
const validationPlans = drawTaskPlans(validation, { nWay: 5, kShot: 1, queries: 5 }, 4242, 150);
let chosen = { steps: 0, lr: 0, accuracy: -1 };
{
  const { net, params, owned } = zeroHead(5);
  for (const steps of [10, 30, 100]) {
    for (const lr of [0.001, 0.003, 0.01, 0.03]) {
      const r = accuracy(net, params, validation, validationPlans, { steps, lr, only: net.headNames });
      log({ variant: 'zero head (validation)', setting: '5w1s', steps, lr, ...r });
      if (r.accuracy > chosen.accuracy) chosen = { steps, lr, accuracy: r.accuracy };
    }
  }
  tf.dispose(owned);
}

for (const setting of PAPER_SETTINGS.filter((s) => values.settings.split(',').includes(settingName(s)))) {
  const plans = taskPlans(set, setting, 5, Number(values.seed), tasks);
  const s = settingName(setting);
  const served = { steps: model.settings.steps, lr: model.lr, ...(model.settings.headOnly ? { only: model.net.headNames } : {}) };
  log({ variant: 'served', setting: s, ...accuracy(model.net, model.params, set.test, plans, served) });
  log({ variant: 'prototypes, no step', setting: s, ...accuracy(model.net, model.params, set.test, plans, { steps: 0, lr: 0 }) });
  const zero = zeroHead(setting.nWay);
  log({
    variant: 'zero head, head-only steps',
    setting: s,
    steps: chosen.steps,
    lr: chosen.lr,
    ...accuracy(zero.net, zero.params, set.test, plans, { steps: chosen.steps, lr: chosen.lr, only: zero.net.headNames }),
  });
  tf.dispose(zero.owned);
  log({
    variant: 'support-set moments, each query alone',
    setting: s,
    ...accuracy(batchNet, batchParams, set.test, plans, { ...served, normalization: 'support' }),
  });
  log({
    variant: 'query-batch statistics (transductive)',
    setting: s,
    ...accuracy(batchNet, batchParams, set.test, plans, { ...served, normalization: 'batch' }),
  });
}
