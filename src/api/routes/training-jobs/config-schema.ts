/**
 * The body of `POST /training-jobs` as the contract states it: the training configuration's own
 * schema (src/shared/jobs/training-config.ts: bounds the API checks, with the worker's types) with
 * a description on each field saying its default (the defaults depend on the dataset, so they are
 * resolved by resolveTrainingConfig, not by the schema). Descriptions are annotations: validation
 * is the shared schema's, unchanged.
 */
import { trainingConfigSchema, type TrainingConfigInput as Input } from '../../../shared/jobs/training-config.ts';
import { component, Type } from '../../contract/schema.ts';

/** Field path (`architecture.filters`, `stages.pretrain.epochs`, `stages.meta.…`) → description. */
const DESCRIPTIONS: Record<string, string> = {
  dataset: 'A built-in dataset, or the id of a dataset uploaded with POST /datasets',
  algorithm: 'default maml',
  nWay: 'default 5 (ignored for sinusoid)',
  kShot: 'default 1 (omniglot), 10 (sinusoid)',
  queryPerClass: 'default 15 (omniglot), 10 points (sinusoid)',
  metaBatchSize: 'default 32 (5-way), 16 (20-way), 25 (sinusoid)',
  innerSteps: 'default 1 (5-way), 5 (20-way), 1 (sinusoid)',
  testInnerSteps: 'default 3 (5-way), 5 (20-way), 10 (sinusoid)',
  innerLr: 'default 0.4 (5-way), 0.1 (20-way), 0.01 (sinusoid)',
  metaLr: 'default 0.001',
  iterations: 'default 60000 (omniglot), 70000 (sinusoid)',
  evalEvery: 'default 500',
  evalTasks: 'default 100',
  testTasks: 'tasks of the final evaluation on the test split; default 600',
  checkpointEvery: 'default 100',
  gradClip: 'default 10',
  seed: 'default: drawn at random and recorded',
  rotations: 'rotations by 90° as extra classes; default true for omniglot',
  'architecture.variant': 'default strided',
  'architecture.filters': 'Conv4 filters per layer (image datasets only); default 64',
  'architecture.hiddenUnits': 'units per hidden layer of the sinusoid MLP (sinusoid only); default 40',
  'architecture.inputSize': 'default 28',
  'architecture.headInit': 'default random; prototype (the head set per task from the support prototypes, Proto-MAML) with stages',
  'architecture.maxWays': 'output units (the most classes a session may have); above nWay only with headInit zero or prototype; default 100 for prototype',
  'architecture.normalization':
    'default batch; frozen (batch norm moments fixed after pre-training, so each image is scored alone exactly as in a batch) with stages',
  stages:
    "A staged pipeline: supervised pre-training first, then meta-training stages, each starting from the best validated weights of the one before; the job then chooses /adapt's steps, rate and adapted layers on validation (selection). A meta stage inherits nWay, kShot, queryPerClass, metaBatchSize, innerSteps, innerLr and metaLr from the job when not given. Without stages the job is one MAML run with the fields above.",
  'stages.pretrain.epochs': 'passes over the training images (× 4 rotations with rotations); default 10',
  'stages.pretrain.batchSize': 'default 128',
  'stages.pretrain.lr': 'Adam, cosine decay over the stage; default 0.001',
  'stages.pretrain.augment': 'light affine augmentation (±12°, ±10 % scale, ±2 px); default true',
  'stages.pretrain.evalEvery': 'steps between validations (prototype classifier on the validation split); default 500',
  'stages.pretrain.patience': 'stop after this many validations without a better score; default 4',
  'stages.meta.algorithm': 'first or exact second order; default fomaml',
  'stages.meta.innerSteps': '0: an episodic prototypical-network stage',
  'stages.meta.metaLr': 'Adam, cosine decay over the stage',
  'stages.meta.iterations': 'default 1000',
  'stages.meta.evalEvery': 'default 100',
  selection: 'Pipelines only; every combination is validated and the best is recorded in the model',
  'selection.steps': 'default [1, 3]',
  'selection.innerLr': 'default [0.003, 0.01, 0.03, 0.1]',
  'selection.adapt': 'default [all, head]',
  'selection.shots': "validation tasks of these shot counts (the job's nWay); a setting scores its mean accuracy over them; default [kShot, 5]",
};

type Schema = { properties?: Record<string, Schema>; items?: Schema; oneOf?: readonly Schema[]; description?: string };

/** A copy of `schema` with DESCRIPTIONS set at `path` and below. */
function describe(schema: Schema, path: string, used: Set<string>): Schema {
  const out: Schema = { ...schema };
  const text = DESCRIPTIONS[path];
  if (text !== undefined) {
    out.description = text;
    used.add(path);
  }
  const at = (key: string) => (path === '' ? key : `${path}.${key}`);
  if (schema.properties) out.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, describe(v, at(k), used)]));
  if (schema.items) out.items = describe(schema.items, path, used);
  // A stage's kinds: `stages.pretrain.epochs`, `stages.meta.algorithm`.
  if (schema.oneOf)
    out.oneOf = schema.oneOf.map((branch) => describe(branch, `${path}.${(branch.properties?.kind as { const?: string } | undefined)?.const}`, used));
  return out;
}

function described(): Schema {
  const used = new Set<string>();
  const schema = describe(trainingConfigSchema as Schema, '', used);
  const unused = Object.keys(DESCRIPTIONS).filter((path) => !used.has(path));
  if (unused.length > 0) throw new Error(`descriptions of fields the training configuration does not have: ${unused.join(', ')}`);
  return schema;
}

export const TrainingConfigInput = component('TrainingConfigInput', Type.Unsafe<Input>(described()));
