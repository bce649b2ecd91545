/**
 * Meta-training job configuration: the JSON schema the API validates (bounds per field, 400
 * naming the field) and the defaults, which are the MAML paper's for each dataset (Finn et al.
 * 2017, and the cbfinn/maml code for Omniglot).
 */
export const ALGORITHMS = ['maml', 'fomaml', 'mamlpp', 'metasgd', 'anil', 'reptile'] as const;
export type AlgorithmName = (typeof ALGORITHMS)[number];
export const DATASETS = ['omniglot', 'sinusoid'] as const;
export type BuiltinDataset = (typeof DATASETS)[number];

/** A built-in dataset name, or the id (uuid) of a dataset uploaded with POST /datasets. */
export function isUploadedDataset(dataset: string): boolean {
  return !(DATASETS as readonly string[]).includes(dataset);
}

export interface TrainingConfig {
  readonly name: string;
  /** 'omniglot', 'sinusoid', or an uploaded dataset's uuid (src/datasets: loadDataset). */
  readonly dataset: BuiltinDataset | (string & {});
  readonly algorithm: AlgorithmName;
  readonly nWay: number;
  readonly kShot: number;
  readonly queryPerClass: number;
  readonly metaBatchSize: number;
  readonly innerSteps: number;
  readonly testInnerSteps: number;
  readonly innerLr: number;
  readonly metaLr: number;
  readonly iterations: number;
  readonly evalEvery: number;
  readonly evalTasks: number;
  /** Tasks of the final evaluation on the test split (the papers use 600). */
  readonly testTasks: number;
  readonly checkpointEvery: number;
  readonly gradClip: number;
  readonly seed: number;
  readonly rotations: boolean;
  readonly architecture: {
    readonly variant: 'maxpool' | 'strided';
    readonly filters: number;
    readonly inputSize: number;
    readonly headInit: 'random' | 'zero';
    /** Output units; above nWay only with a zero-initialised head (one body serves up to maxWays classes). */
    readonly maxWays: number;
  };
}

const int = (minimum: number, maximum: number) => ({ type: 'integer', minimum, maximum }) as const;
const num = (exclusiveMinimum: number, maximum: number) => ({ type: 'number', exclusiveMinimum, maximum }) as const;

export const trainingConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['dataset'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
    dataset: { anyOf: [{ type: 'string', enum: DATASETS }, { type: 'string', format: 'uuid' }] },
    algorithm: { type: 'string', enum: ALGORITHMS },
    nWay: int(2, 50),
    kShot: int(1, 50),
    queryPerClass: int(1, 50),
    metaBatchSize: int(1, 256),
    innerSteps: int(1, 20),
    testInnerSteps: int(1, 50),
    innerLr: num(0, 10),
    metaLr: num(0, 1),
    iterations: int(1, 1_000_000),
    evalEvery: int(1, 1_000_000),
    evalTasks: int(10, 2_000),
    testTasks: int(10, 10_000),
    checkpointEvery: int(1, 1_000_000),
    gradClip: num(0, 1e6),
    seed: int(0, 2 ** 31 - 1),
    rotations: { type: 'boolean' },
    architecture: {
      type: 'object',
      additionalProperties: false,
      properties: {
        variant: { type: 'string', enum: ['maxpool', 'strided'] },
        filters: int(4, 256),
        inputSize: int(8, 128),
        headInit: { type: 'string', enum: ['random', 'zero'] },
        maxWays: int(2, 200),
      },
    },
  },
} as const;

export type TrainingConfigInput = Partial<Omit<TrainingConfig, 'architecture'>> & {
  dataset: TrainingConfig['dataset'];
  architecture?: Partial<TrainingConfig['architecture']>;
};

export class TrainingConfigError extends Error {
  constructor(readonly field: string, readonly value: unknown, readonly expected: string) {
    super(`${field}: ${JSON.stringify(value)} is not allowed: ${expected}`);
  }
}

/** Fills in the paper's defaults for the dataset and checks the cross-field rules. */
export function resolveTrainingConfig(input: TrainingConfigInput, randomSeed: () => number): TrainingConfig {
  const sinusoid = input.dataset === 'sinusoid';
  const nWay = sinusoid ? 1 : (input.nWay ?? 5);
  const wide = nWay > 5;
  const headInit = input.architecture?.headInit ?? 'random';
  const maxWays = input.architecture?.maxWays ?? nWay;
  const config: TrainingConfig = {
    name: input.name ?? `${input.dataset}-${sinusoid ? 'regression' : `${nWay}way`}-${input.algorithm ?? 'maml'}`,
    dataset: input.dataset,
    algorithm: input.algorithm ?? 'maml',
    nWay,
    kShot: input.kShot ?? (sinusoid ? 10 : 1),
    queryPerClass: input.queryPerClass ?? (sinusoid ? 10 : 15),
    metaBatchSize: input.metaBatchSize ?? (sinusoid ? 25 : wide ? 16 : 32),
    innerSteps: input.innerSteps ?? (sinusoid ? 1 : wide ? 5 : 1),
    testInnerSteps: input.testInnerSteps ?? (sinusoid ? 10 : wide ? 5 : 3),
    innerLr: input.innerLr ?? (sinusoid ? 0.01 : wide ? 0.1 : 0.4),
    metaLr: input.metaLr ?? 1e-3,
    iterations: input.iterations ?? (sinusoid ? 70_000 : 60_000),
    evalEvery: input.evalEvery ?? 500,
    evalTasks: input.evalTasks ?? 100,
    testTasks: input.testTasks ?? 600,
    checkpointEvery: input.checkpointEvery ?? 100,
    gradClip: input.gradClip ?? 10,
    seed: input.seed ?? randomSeed(),
    rotations: input.rotations ?? input.dataset === 'omniglot', // uploads: off unless asked for
    architecture: {
      variant: input.architecture?.variant ?? 'strided',
      filters: input.architecture?.filters ?? (sinusoid ? 40 : 64),
      inputSize: input.architecture?.inputSize ?? 28,
      headInit,
      maxWays,
    },
  };
  if (maxWays < nWay) throw new TrainingConfigError('architecture.maxWays', maxWays, `at least nWay (${nWay})`);
  if (maxWays > nWay && headInit !== 'zero') {
    throw new TrainingConfigError('architecture.maxWays', maxWays, 'above nWay only with architecture.headInit "zero"');
  }
  if (config.evalEvery > config.iterations && input.evalEvery !== undefined) {
    throw new TrainingConfigError('evalEvery', config.evalEvery, `at most iterations (${config.iterations})`);
  }
  return config;
}
