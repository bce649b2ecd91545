/**
 * `npm run bench:accuracy`: few-shot accuracy of the shipped models (or --model FILE) on 600 tasks
 * per setting drawn with a fixed seed from the Omniglot *evaluation* alphabets: 5-way 1-shot,
 * 5-way 5-shot, 20-way 1-shot, 20-way 5-shot (those the model's head can serve), adapted in full
 * and head-only at the model's test-time inner steps; mean ± 95 % CI (1.96·σ/√n). Queries are
 * scored two ways: as one batch per task (batch norm over the queries: transductive, as the MAML
 * paper evaluates) and each on its own (normalised with the support set's moments, as the service
 * answers /predict). Then the first --http tasks of each setting go through the HTTP API (a local
 * API on loopback, real PNG uploads) beside the in-process accuracy of the same tasks, each alone. Prints one JSON line per result and a table.
 * Options: --model FILE (repeatable), --tasks 600, --queries 5, --seed 600, --http 40, --settings 5w1s,...
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createApiKey } from '../src/api/auth/api-keys.ts';
import { meanConfidence, type MeanConfidence } from '../src/core/tasks/index.ts';
import { disposeServingModel, loadServingModel } from '../src/api/inference/serving-model.ts';
import { registerModel } from '../src/shared/models/registry.ts';
import { selectBackend } from '../src/tf/backend.ts';
import { buildTestApp, createTestDatabase } from '../test/helpers/env.ts';
import { evaluatePlans, headOutputs, loadEvaluationSet, PAPER_SETTINGS, settingName, taskPlans } from './accuracy/evaluate.ts';
import { httpAccuracy } from './accuracy/http.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string', multiple: true },
    tasks: { type: 'string', default: '600' },
    queries: { type: 'string', default: '5' },
    seed: { type: 'string', default: '600' },
    http: { type: 'string', default: '40' },
    settings: { type: 'string', default: PAPER_SETTINGS.map(settingName).join(',') },
  },
});
const root = path.resolve(import.meta.dirname, '..');
const omniglot = process.env.OMNIGLOT_DIR ?? path.resolve(root, '../shared/data/omniglot');
const cacheDir = process.env.CACHE_DIR ?? path.join(root, '.data', 'cache');
const [tasks, queries, seed, httpTasks] = [values.tasks, values.queries, values.seed, values.http].map(Number) as [number, number, number, number];
const settings = PAPER_SETTINGS.filter((s) => values.settings.split(',').includes(settingName(s)));
const manifest = JSON.parse(await readFile(path.join(root, 'models', 'manifest.json'), 'utf8')) as { file: string }[];
const files = values.model ?? manifest.map((m) => path.join(root, 'models', m.file));

const backend = await selectBackend('auto');
const pct = (m: MeanConfidence) => `${(100 * m.mean).toFixed(1)} ± ${(100 * m.ci95).toFixed(1)}`;
const table: string[] = [
  '| model | setting | as served, query batch | as served, each query alone | head-only, query batch | HTTP (first n) | in-process, alone (same n) |',
  '|---|---|---|---|---|---|---|',
];
const http = httpTasks > 0 ? await startApi() : null;

for (const file of files) {
  const bytes = new Uint8Array(await readFile(file));
  const model = loadServingModel(bytes, path.basename(file));
  const set = await loadEvaluationSet(omniglot, model, cacheDir);
  const name = path.basename(file, '.safetensors');
  const registered = http ? await registerModel(http.t.db, http.t.deps.store, { name, checkpoint: bytes, makeDefault: false }) : null;
  for (const setting of settings) {
    if (setting.nWay > headOutputs(model)) {
      console.log(JSON.stringify({ model: name, setting: settingName(setting), skipped: `the head has ${headOutputs(model)} outputs` }));
      table.push(`| ${name} | ${settingName(setting)} | n/a (head has ${headOutputs(model)} outputs) | | | | |`);
      continue;
    }
    const plans = taskPlans(set, setting, queries, seed, tasks);
    // "full" is the model's own /adapt setting (all layers, or the head alone when the model records it).
    // A frozen-normalisation net scores each query with θ′ alone (no batch statistics), so the
    // query-batch and each-alone scores are the same computation; a head-only model's served
    // setting is the head-only one. Those repeats are not run twice.
    const served = model.settings.headOnly;
    const full = evaluatePlans(model, set, plans, { headOnly: served });
    const alone = model.net.moments ? evaluatePlans(model, set, plans, { headOnly: served, normalization: 'support' }) : full;
    const head = served ? full : evaluatePlans(model, set, plans, { headOnly: true });
    const row = {
      model: name,
      setting: settingName(setting),
      tasks,
      queriesPerClass: queries,
      steps: model.settings.steps,
      adapt: served ? 'head' : 'all',
      backend: backend.name,
    };
    const seconds = [full, alone, head].filter((r, i, all) => all.indexOf(r) === i).reduce((sum, r) => sum + r.ms, 0) / 1000;
    console.log(JSON.stringify({ ...row, full: full.accuracy, alone: alone.accuracy, headOnly: head.accuracy, seconds: Math.round(seconds * 10) / 10 }));
    let httpCells = '| |';
    if (http && registered) {
      const n = Math.min(httpTasks, plans.length);
      const over = meanConfidence(await httpAccuracy({ url: http.url, key: http.key, model: registered.id, headOnly: served }, set, plans.slice(0, n)));
      const same = meanConfidence(alone.perTask.subarray(0, n));
      console.log(JSON.stringify({ ...row, tasks: n, http: over, inProcess: same }));
      httpCells = `${pct(over)} | ${pct(same)} (n = ${n}) |`;
    }
    table.push(`| ${name} | ${settingName(setting)} | ${pct(full.accuracy)} | ${pct(alone.accuracy)} | ${pct(head.accuracy)} | ${httpCells}`);
  }
  disposeServingModel(model);
}
console.log(`\n${tasks} tasks per setting from the evaluation alphabets (seed ${seed}, ${queries} queries per class), ${backend.name} backend\n`);
console.log(table.join('\n'));
await http?.close();

async function startApi() {
  const database = await createTestDatabase();
  const t = await buildTestApp(database.url, { INFERENCE_THREADS: '1', LOG_LEVEL: 'silent' });
  const key = (await createApiKey(t.db, 'client')).key;
  const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  return { t, key, url, close: async () => (await t.close(), await database.drop()) };
}
