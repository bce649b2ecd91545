/**
 * Ships a finished stage's model (`npm run train` writes .data/train/<name>/stage<i>.safetensors)
 * as a model file of the repository, its metadata saying which stage of which run it is, with the
 * bench:accuracy results of it as its metrics. Used to ship stage 1 of the default model's pipeline
 * while its meta-training stages run (issue 15).
 *   npx tsx scripts/experiments/ship-stage.ts <stage.safetensors> <bench log (JSON lines)> <out.safetensors>
 */
import { readFile, writeFile } from 'node:fs/promises';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/core/checkpoint/index.ts';

const [stageFile, benchLog, out] = process.argv.slice(2) as [string, string, string];
const { tensors, metadata } = decodeCheckpoint(new Uint8Array(await readFile(stageFile)));
type Row = { setting: string; tasks: number; alone?: { mean: number; ci95: number }; full?: { mean: number; ci95: number } };
const rows = (await readFile(benchLog, 'utf8'))
  .split('\n')
  .filter((l) => l.startsWith('{'))
  .map((l) => JSON.parse(l) as Row)
  .filter((r) => r.alone);
const bySetting = Object.fromEntries(rows.map((r) => [r.setting, { accuracy: r.alone!.mean, ci95: r.alone!.ci95, tasks: r.tasks }]));
const first = bySetting['5w1s']!;
const measuredBy = 'npm run bench:accuracy (600 tasks per setting from the evaluation alphabets, seed 600, 5 queries per class, each image alone)';
const metrics = {
  test: { ...first, measuredBy },
  testPerImage: { ...first, measuredBy },
  bySetting,
  nWay: 5,
  kShot: 1,
  stage: (metadata.extras as { stage?: unknown }).stage,
};
const extras = {
  ...metadata.extras,
  metrics,
  shipped: 'stage 1 (pre-training) of models/omniglot.config.json; the meta-training stages replace it when they finish',
};
await writeFile(out, encodeCheckpoint(tensors, { ...metadata, algorithm: 'pretrain+prototype', extras }));
await writeFile(`${out}.json`, `${JSON.stringify({ config: (metadata.extras as { training: unknown }).training, metrics }, null, 2)}\n`);
console.log(JSON.stringify(bySetting));
