/**
 * Meta-training job configuration: the JSON schema the API validates (bounds per field, 400
 * naming the field) and the defaults, which are the MAML paper's for each dataset (Finn et al.
 * 2017, and the cbfinn/maml code for Omniglot).
 */
import { type ALGORITHMS as ALGORITHMS_BY_NAME, META_ALGORITHMS, STAGE_ALGORITHMS, type MetaAlgorithmName } from '../../core/kinds.ts';
/** The meta-learning algorithms (src/core/kinds.ts lists them once, with what each can do). */
export const ALGORITHMS = META_ALGORITHMS;
export type AlgorithmName = MetaAlgorithmName;
export const DATASETS = ['omniglot', 'sinusoid'] as const;
export type BuiltinDataset = (typeof DATASETS)[number];

/** A built-in dataset name, or the id (uuid) of a dataset uploaded with POST /datasets. */
export function isUploadedDataset(dataset: string): boolean {
  return !(DATASETS as readonly string[]).includes(dataset);
}

/**
 * A staged pipeline (TrainingConfig.stages): supervised pre-training of the body, then meta-training
 * stages (Proto-MAML: the head set per task from the support prototypes; innerSteps 0 is an
 * episodic prototypical-network stage). Each stage starts from the best validated θ of the one
 * before, is resumable from its checkpoint and reports on the same curve.
 */
export interface PretrainStageConfig {
  readonly kind: 'pretrain';
  /** Passes over the training images (× 4 rotations when `rotations`). */
  readonly epochs: number;
  readonly batchSize: number;
  /** Adam's rate, decayed by a cosine over the stage. */
  readonly lr: number;
  /** Light affine augmentation (±12°, ±10 % scale, ±2 px). */
  readonly augment: boolean;
  /** Validate (prototype classifier, frozen moments) every this many steps. */
  readonly evalEvery: number;
  /** Stop after this many validations without a better score. */
  readonly patience: number;
}

export const META_STAGE_ALGORITHMS = STAGE_ALGORITHMS as readonly StageAlgorithm[];
type StageAlgorithm = { [K in MetaAlgorithmName]: (typeof ALGORITHMS_BY_NAME)[K]['stage'] extends true ? K : never }[MetaAlgorithmName];

export interface MetaStageConfig {
  readonly kind: 'meta';
  /** 'fomaml' (first order) or 'maml' (exact second order). */
  readonly algorithm: (typeof META_STAGE_ALGORITHMS)[number];
  readonly nWay: number;
  readonly kShot: number;
  readonly queryPerClass: number;
  readonly metaBatchSize: number;
  /** 0: an episodic prototypical-network stage (the head alone, no inner step). */
  readonly innerSteps: number;
  readonly innerLr: number;
  /** Adam's rate, decayed by a cosine over the stage. */
  readonly metaLr: number;
  readonly iterations: number;
  readonly evalEvery: number;
}

export type StageConfig = PretrainStageConfig | MetaStageConfig;

/** The /adapt settings a pipeline chooses on validation at its end (every pair is tried). */
export interface ServingSelection {
  readonly steps: readonly number[];
  readonly innerLr: readonly number[];
  /** Which parameters /adapt changes: 'all', or 'head' (the body stays θ's). */
  readonly adapt: readonly ('all' | 'head')[];
  /** Shots of the validation tasks (the job's nWay); a setting's score is its mean accuracy over them. */
  readonly shots: readonly number[];
}

export interface TrainingConfig {
  readonly name: string;
  /** 'omniglot', 'sinusoid', or an uploaded dataset's uuid (src/shared/datasets: loadDataset). */
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
    /** Conv4 filters per layer (image datasets). */
    readonly filters: number;
    /** The MLP's units per hidden layer (sinusoid). */
    readonly hiddenUnits: number;
    readonly inputSize: number;
    readonly headInit: 'random' | 'zero' | 'prototype';
    /** Output units; above nWay only with a zero-initialised or prototype head (one body serves up to maxWays classes). */
    readonly maxWays: number;
    /** 'frozen': batch norm with moments fixed after pre-training (pipelines); 'batch': each batch's own. */
    readonly normalization: 'batch' | 'frozen';
  };
  /** A staged pipeline; empty: one MAML run with the fields above. */
  readonly stages: readonly StageConfig[];
  /** Pipelines: the /adapt settings tried on validation at the end. */
  readonly selection: ServingSelection;
}

const int = (minimum: number, maximum: number) => ({ type: 'integer', minimum, maximum }) as const;
const num = (exclusiveMinimum: number, maximum: number) => ({ type: 'number', exclusiveMinimum, maximum }) as const;

const pretrainStageSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind'],
  properties: {
    kind: { type: 'string', const: 'pretrain' },
    epochs: num(0, 1000),
    batchSize: int(8, 1024),
    lr: num(0, 1),
    augment: { type: 'boolean' },
    evalEvery: int(1, 1_000_000),
    patience: int(1, 1000),
  },
} as const;

const metaStageSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind'],
  properties: {
    kind: { type: 'string', const: 'meta' },
    algorithm: { type: 'string', enum: META_STAGE_ALGORITHMS },
    nWay: int(2, 200),
    kShot: int(1, 50),
    queryPerClass: int(1, 50),
    metaBatchSize: int(1, 256),
    innerSteps: int(0, 20),
    innerLr: num(0, 10),
    metaLr: num(0, 1),
    iterations: int(1, 1_000_000),
    evalEvery: int(1, 1_000_000),
  },
} as const;

export const trainingConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['dataset'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
    dataset: {
      anyOf: [
        { type: 'string', enum: DATASETS },
        { type: 'string', format: 'uuid' },
      ],
    },
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
        hiddenUnits: int(4, 256),
        inputSize: int(8, 128),
        headInit: { type: 'string', enum: ['random', 'zero', 'prototype'] },
        maxWays: int(2, 200),
        normalization: { type: 'string', enum: ['batch', 'frozen'] },
      },
    },
    // oneOf with a discriminator (ajv's `discriminator` option; OpenAPI's too): a bad field is
    // reported against the stage's own kind, not as "must match exactly one schema in oneOf".
    stages: {
      type: 'array',
      maxItems: 10,
      items: { type: 'object', required: ['kind'], discriminator: { propertyName: 'kind' }, oneOf: [pretrainStageSchema, metaStageSchema] },
    },
    selection: {
      type: 'object',
      additionalProperties: false,
      properties: {
        steps: { type: 'array', minItems: 1, maxItems: 10, items: int(0, 50) },
        innerLr: { type: 'array', minItems: 1, maxItems: 10, items: num(0, 10) },
        adapt: { type: 'array', minItems: 1, maxItems: 2, items: { type: 'string', enum: ['all', 'head'] } },
        shots: { type: 'array', minItems: 1, maxItems: 5, items: int(1, 50) },
      },
    },
  },
} as const;

export type StageInput = ({ kind: 'pretrain' } & Partial<Omit<PretrainStageConfig, 'kind'>>) | ({ kind: 'meta' } & Partial<Omit<MetaStageConfig, 'kind'>>);

export type TrainingConfigInput = Partial<Omit<TrainingConfig, 'architecture' | 'stages' | 'selection'>> & {
  dataset: TrainingConfig['dataset'];
  architecture?: Partial<TrainingConfig['architecture']>;
  stages?: readonly StageInput[];
  selection?: Partial<ServingSelection>;
};

export class TrainingConfigError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(`${field}: ${JSON.stringify(value)} is not allowed: ${expected}`);
  }
}

/** Fills in the paper's defaults for the dataset and checks the cross-field rules. */
export function resolveTrainingConfig(input: TrainingConfigInput, randomSeed: () => number): TrainingConfig {
  const sinusoid = input.dataset === 'sinusoid';
  const staged = (input.stages?.length ?? 0) > 0;
  if (staged && sinusoid) throw new TrainingConfigError('stages', input.stages, 'image datasets only (sinusoid trains one MAML stage)');
  const nWay = sinusoid ? 1 : (input.nWay ?? 5);
  const wide = nWay > 5;
  const headInit = input.architecture?.headInit ?? (staged ? 'prototype' : 'random');
  const maxWays = input.architecture?.maxWays ?? (headInit === 'prototype' ? Math.max(nWay, 100) : nWay);
  const normalization = input.architecture?.normalization ?? (staged ? 'frozen' : 'batch');
  const config: TrainingConfig = {
    name: input.name ?? `${input.dataset}-${sinusoid ? 'regression' : `${nWay}way`}-${input.algorithm ?? 'maml'}`,
    dataset: input.dataset,
    algorithm: input.algorithm ?? 'maml',
    nWay,
    kShot: kShotOf(input, sinusoid),
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
      filters: input.architecture?.filters ?? 64,
      hiddenUnits: input.architecture?.hiddenUnits ?? 40,
      inputSize: input.architecture?.inputSize ?? 28,
      headInit,
      maxWays,
      normalization,
    },
    stages: [],
    selection: {
      steps: input.selection?.steps ?? [1, 3],
      innerLr: input.selection?.innerLr ?? [0.003, 0.01, 0.03, 0.1],
      adapt: input.selection?.adapt ?? ['all', 'head'],
      shots: input.selection?.shots ?? [...new Set([kShotOf(input, sinusoid), 5])],
    },
  };
  const resolved: TrainingConfig = { ...config, stages: (input.stages ?? []).map((stage) => resolveStage(stage, config)) };
  if (maxWays < nWay) throw new TrainingConfigError('architecture.maxWays', maxWays, `at least nWay (${nWay})`);
  if (sinusoid && input.architecture?.filters !== undefined) {
    throw new TrainingConfigError(
      'architecture.filters',
      input.architecture.filters,
      "Conv4's filters, for image datasets; the sinusoid MLP's width is architecture.hiddenUnits",
    );
  }
  if (!sinusoid && input.architecture?.hiddenUnits !== undefined) {
    throw new TrainingConfigError('architecture.hiddenUnits', input.architecture.hiddenUnits, "the sinusoid MLP's width; a Conv4's is architecture.filters");
  }
  if (maxWays > nWay && headInit === 'random') {
    throw new TrainingConfigError('architecture.maxWays', maxWays, 'above nWay only with architecture.headInit "zero" or "prototype"');
  }
  if (staged && (headInit !== 'prototype' || normalization !== 'frozen')) {
    throw new TrainingConfigError('architecture', input.architecture, 'a staged pipeline trains headInit "prototype" with normalization "frozen"');
  }
  if (!staged && (headInit === 'prototype' || normalization === 'frozen')) {
    throw new TrainingConfigError(
      'architecture',
      input.architecture,
      'headInit "prototype" and normalization "frozen" need stages (the first pre-trains the moments)',
    );
  }
  resolved.stages.forEach((stage, i) => {
    if (stage.kind === 'pretrain' && i > 0) throw new TrainingConfigError(`stages[${i}].kind`, stage.kind, 'pre-training only as the first stage');
    if (stage.kind === 'meta' && stage.nWay > maxWays)
      throw new TrainingConfigError(`stages[${i}].nWay`, stage.nWay, `at most architecture.maxWays (${maxWays})`);
  });
  if (staged && resolved.stages[0]!.kind !== 'pretrain') {
    throw new TrainingConfigError('stages[0].kind', resolved.stages[0]!.kind, '"pretrain": the first stage measures the frozen batch norm moments');
  }
  if (config.evalEvery > config.iterations && input.evalEvery !== undefined) {
    throw new TrainingConfigError('evalEvery', config.evalEvery, `at most iterations (${config.iterations})`);
  }
  return resolved;
}

function kShotOf(input: TrainingConfigInput, sinusoid: boolean): number {
  return input.kShot ?? (sinusoid ? 10 : 1);
}

/** A stage's fields, defaults from the job's own (a meta stage inherits the job's task shape and rates). */
function resolveStage(stage: StageInput, job: TrainingConfig): StageConfig {
  if (stage.kind === 'pretrain') {
    return {
      kind: 'pretrain',
      epochs: stage.epochs ?? 10,
      batchSize: stage.batchSize ?? 128,
      lr: stage.lr ?? 1e-3,
      augment: stage.augment ?? true,
      evalEvery: stage.evalEvery ?? 500,
      patience: stage.patience ?? 4,
    };
  }
  return {
    kind: 'meta',
    algorithm: stage.algorithm ?? 'fomaml',
    nWay: stage.nWay ?? job.nWay,
    kShot: stage.kShot ?? job.kShot,
    queryPerClass: stage.queryPerClass ?? job.queryPerClass,
    metaBatchSize: stage.metaBatchSize ?? job.metaBatchSize,
    innerSteps: stage.innerSteps ?? job.innerSteps,
    innerLr: stage.innerLr ?? job.innerLr,
    metaLr: stage.metaLr ?? job.metaLr,
    iterations: stage.iterations ?? 1000,
    evalEvery: stage.evalEvery ?? 100,
  };
}
