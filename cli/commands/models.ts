/** `maml models [list]`, `maml models show <id>`, `maml models promote <id>` (admin). */
import { type Command, Option } from 'commander';
import type { Model } from '../../clients/typescript/index.ts';
import { contextFor, positiveInt } from '../context.ts';
import { json, keyValues, percent, table } from '../format.ts';

type Evaluation = { accuracy?: number | null; ci95?: number | null; loss?: number };

/**
 * "92.2 % ± 0.6" from a model's metrics.test (queries scored as one batch) or, with `perImage`,
 * metrics.testPerImage (each query alone, as /predict answers); the loss for regression.
 */
export function testMetric(model: Pick<Model, 'metrics'>, perImage = false): string {
  const metrics = model.metrics as { test?: Evaluation; testPerImage?: Evaluation };
  const test = perImage ? metrics.testPerImage : metrics.test;
  if (!test) return '–';
  if (typeof test.accuracy === 'number') return `${percent(test.accuracy)}${typeof test.ci95 === 'number' ? ` ± ${(test.ci95 * 100).toFixed(1)}` : ''}`;
  return typeof test.loss === 'number' ? `loss ${test.loss.toPrecision(3)}` : '–';
}

function describe(model: Model): string {
  return keyValues([
    ['id', model.id],
    ['name', `${model.name} v${model.version}${model.isDefault ? ' (default)' : ''}`],
    ['status', model.status],
    ['algorithm', `${model.algorithm}, ${model.nWay}-way, input ${model.inputShape.join('×')}`],
    ['architecture', JSON.stringify(model.architecture)],
    ['test', testMetric(model)],
    ['test, each image alone', testMetric(model, true)],
    ['weights', `${model.weights.bytes} bytes, sha256 ${model.weights.sha256}`],
    ['created', model.createdAt],
  ]);
}

export function registerModels(program: Command): void {
  const models = program.command('models').description('the model registry');
  models
    .command('list', { isDefault: true })
    .description('models, the default first, then newest')
    .addOption(new Option('--status <status>', 'only models in this status').choices(['training', 'ready', 'archived']))
    .option('--limit <n>', 'at most this many', positiveInt, 50)
    .option('--json', 'print JSON')
    .action(async (options: { status?: Model['status']; limit: number; json?: boolean }, command: Command) => {
      const { client, io } = contextFor(command);
      const list = await client.listModels({ status: options.status, limit: options.limit });
      if (options.json) return io.out(json(list));
      if (list.length === 0) return io.err('no models\n');
      const rows = list.map((m) => [
        m.isDefault ? '*' : '',
        m.id,
        m.name,
        `v${m.version}`,
        m.status,
        m.algorithm,
        m.ways.min === m.ways.max ? `${m.ways.max}-way` : `${m.ways.min}–${m.ways.max}-way`,
        testMetric(m),
        m.createdAt.slice(0, 19),
      ]);
      io.out(`${table(['', 'id', 'name', 'version', 'status', 'algorithm', 'ways', 'test', 'created'], rows)}\n`);
    });
  models
    .command('show')
    .description('one model (by id, or by name for its latest version)')
    .argument('<id>', 'model id or name')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const { client, io } = contextFor(command);
      const model = await client.getModel(id);
      io.out(options.json ? json(model) : `${describe(model)}\n`);
    });
  models
    .command('promote')
    .description('make a model the default for adapt (admin)')
    .argument('<id>', 'model id or name')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const { client, io } = contextFor(command);
      const model = await client.promoteModel(id);
      io.out(options.json ? json(model) : `${model.name} v${model.version} (${model.id}) is now the default model\n`);
    });
}
