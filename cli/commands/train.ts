/** `maml train --dataset omniglot --ways 5 --shots 1 …` (admin): submit a job and follow it. */
import { readFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import type { TrainingConfigInput } from '../../clients/typescript/index.ts';
import { META_ALGORITHMS } from '../../src/core/kinds.ts';
import { contextFor, nonNegativeInt, positiveInt, positiveNumber } from '../context.ts';
import { UsageError } from '../exit-codes.ts';
import { json } from '../format.ts';
import { followJob } from '../train/follow.ts';
import { INTERRUPT_POLICIES, type InterruptPolicy } from '../train/interrupt.ts';
import { reportOutcome } from '../train/summary.ts';

/** Flag → TrainingConfigInput field. */
const FIELDS = {
  name: 'name',
  dataset: 'dataset',
  algorithm: 'algorithm',
  ways: 'nWay',
  shots: 'kShot',
  queries: 'queryPerClass',
  metaBatchSize: 'metaBatchSize',
  innerSteps: 'innerSteps',
  testInnerSteps: 'testInnerSteps',
  innerLr: 'innerLr',
  metaLr: 'metaLr',
  iterations: 'iterations',
  evalEvery: 'evalEvery',
  evalTasks: 'evalTasks',
  testTasks: 'testTasks',
  checkpointEvery: 'checkpointEvery',
  gradClip: 'gradClip',
  seed: 'seed',
  rotations: 'rotations',
} as const satisfies Record<string, keyof TrainingConfigInput>;

export interface TrainOptions extends Partial<Record<keyof typeof FIELDS, string | number | boolean>> {
  config?: string;
  filters?: number;
  hiddenUnits?: number;
  variant?: 'maxpool' | 'strided';
  detach?: boolean;
  onInterrupt?: InterruptPolicy;
  json?: boolean;
}

/** The job's configuration: the --config file, then each flag given over it. */
export async function trainingConfig(options: TrainOptions): Promise<TrainingConfigInput> {
  let config: Record<string, unknown> = {};
  if (options.config) {
    try {
      config = JSON.parse(await readFile(options.config, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new UsageError(`--config ${options.config}: ${(error as Error).message}`);
    }
    if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new UsageError(`--config ${options.config} must hold a JSON object`);
  }
  for (const [flag, field] of Object.entries(FIELDS)) {
    const value = options[flag as keyof typeof FIELDS];
    if (value !== undefined) config[field] = value;
  }
  const architecture = {
    ...(options.filters === undefined ? {} : { filters: options.filters }),
    ...(options.hiddenUnits === undefined ? {} : { hiddenUnits: options.hiddenUnits }),
    ...(options.variant ? { variant: options.variant } : {}),
  };
  if (Object.keys(architecture).length > 0) config.architecture = { ...(config.architecture as object | undefined), ...architecture };
  if (typeof config.dataset !== 'string') throw new UsageError('--dataset is required (omniglot, sinusoid, or the id of an uploaded dataset)');
  return config as unknown as TrainingConfigInput;
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('submit a meta-training job (admin) and follow it: live progress, then final metrics and the validation curve')
    .option('--dataset <name-or-id>', 'omniglot, sinusoid, or an uploaded dataset id')
    .addOption(new Option('--algorithm <name>', 'meta-learning algorithm').choices(META_ALGORITHMS))
    .option('--ways <n>', 'classes per task (N-way)', positiveInt)
    .option('--shots <k>', 'support images per class (K-shot)', positiveInt)
    .option('--queries <n>', 'query images per class', positiveInt)
    .option('--iterations <n>', 'meta-iterations', positiveInt)
    .option('--meta-batch-size <n>', 'tasks per meta-iteration', positiveInt)
    .option('--inner-steps <n>', 'inner gradient steps in training', positiveInt)
    .option('--test-inner-steps <n>', 'inner steps at evaluation and in served sessions', positiveInt)
    .option('--inner-lr <lr>', 'inner learning rate', positiveNumber)
    .option('--meta-lr <lr>', 'outer (Adam) learning rate', positiveNumber)
    .option('--eval-every <n>', 'validate every n iterations', positiveInt)
    .option('--eval-tasks <n>', 'tasks per validation', positiveInt)
    .option('--test-tasks <n>', 'tasks of the final test evaluation', positiveInt)
    .option('--checkpoint-every <n>', 'checkpoint every n iterations', positiveInt)
    .option('--grad-clip <norm>', 'meta-gradient norm clip', positiveNumber)
    .option('--seed <n>', 'random seed (default: drawn and recorded)', nonNegativeInt)
    .option('--rotations', 'rotations by 90° as extra classes (Omniglot default)')
    .option('--no-rotations', 'no rotation classes')
    .option('--filters <n>', 'Conv4 filters per layer (image datasets)', positiveInt)
    .option('--hidden-units <n>', 'units per hidden layer of the sinusoid MLP', positiveInt)
    .addOption(new Option('--variant <variant>', 'Conv4 downsampling').choices(['maxpool', 'strided']))
    .option('--name <name>', 'name of the model the job registers')
    .option('--config <file.json>', 'a JSON TrainingConfigInput; flags override its fields')
    .option('--detach', 'submit, print the job id and exit without following')
    .addOption(
      new Option(
        '--on-interrupt <action>',
        'what Ctrl-C does: ask (a terminal on stdin), cancel the job, or detach (stop watching; the default without a terminal)',
      )
        .choices(INTERRUPT_POLICIES)
        .default('ask'),
    )
    .option('--json', 'print the final job and model as JSON (progress still goes to stderr)')
    .action(async (options: TrainOptions, command: Command) => {
      const ctx = contextFor(command);
      const submitted = await ctx.client.submitJob(await trainingConfig(options));
      const config = submitted.config as {
        dataset?: string;
        algorithm?: string;
        nWay?: number;
        kShot?: number;
        iterations?: number;
        stages?: { kind: string; algorithm?: string; innerSteps?: number }[];
      };
      if (options.detach) return ctx.io.out(options.json ? json(submitted) : `${submitted.jobId}\n`);
      const stages = config.stages ?? [];
      const what =
        stages.length > 0
          ? `${stages.length} stages (${stages.map((st) => (st.kind === 'pretrain' ? 'pre-training' : st.innerSteps === 0 ? 'prototypes' : (st.algorithm ?? 'meta'))).join(', ')}) on ${config.dataset}, validated ${config.nWay}-way ${config.kShot}-shot`
          : `${config.algorithm} on ${config.dataset}${config.dataset === 'sinusoid' ? '' : `, ${config.nWay}-way ${config.kShot}-shot`}, ${config.iterations} iterations`;
      ctx.io.err(`submitted job ${submitted.jobId}: ${what}\n`);
      const outcome = await followJob(ctx, submitted.jobId, options.onInterrupt ?? 'ask');
      process.exitCode = await reportOutcome(ctx, outcome, { json: options.json });
    });
}
