/**
 * The training form: a job with a demo's defaults (5-way 1-shot MAML on Omniglot, a few hundred
 * iterations, a short evaluation). Fields left empty take the server's defaults (the MAML paper's,
 * per openapi.yaml's TrainingConfigInput); the server validates everything. The "staged" recipe
 * sends a short pipeline instead: half an epoch of supervised pre-training, then the iterations
 * split between an episodic prototype stage and a first-order Proto-MAML stage (the algorithm
 * field does not apply).
 */
import type { MamlClient, TrainingConfigInput } from '../../clients/typescript/client.ts';
import { describeError } from './api.ts';
import { byId, el, say } from './dom.ts';

interface Field {
  readonly name: keyof TrainingConfigInput;
  readonly label: string;
  readonly value: string;
  readonly options?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly step?: string;
}

const FIELDS: readonly Field[] = [
  { name: 'dataset', label: 'Dataset', value: 'omniglot', options: ['omniglot', 'sinusoid'] },
  // The other algorithms come from GET /capabilities (showAlgorithms), the service's one list.
  { name: 'algorithm', label: 'Algorithm', value: 'maml', options: ['maml'] },
  { name: 'nWay', label: 'Classes per task (N-way)', value: '5', min: 2, max: 50 },
  { name: 'kShot', label: 'Examples per class (K-shot)', value: '1', min: 1, max: 50 },
  { name: 'iterations', label: 'Iterations', value: '200', min: 1, max: 1_000_000 },
  { name: 'metaBatchSize', label: 'Tasks per iteration (empty: server default)', value: '', min: 1, max: 256 },
  { name: 'evalEvery', label: 'Validate every (iterations)', value: '50', min: 1, max: 1_000_000 },
  { name: 'evalTasks', label: 'Validation tasks', value: '20', min: 10, max: 2000 },
  { name: 'testTasks', label: 'Final test tasks', value: '100', min: 10, max: 10_000 },
  { name: 'seed', label: 'Seed (empty: random)', value: '', min: 0, max: 2_147_483_647 },
  { name: 'name', label: 'Name of the model (optional)', value: '' },
];

function control(field: Field): HTMLInputElement | HTMLSelectElement {
  const id = `job-${field.name}`;
  if (field.options) return el('select', { id, name: field.name }, ...field.options.map((o) => el('option', { value: o, selected: o === field.value }, o)));
  const numeric = field.min !== undefined;
  return el('input', {
    id,
    name: field.name,
    type: numeric ? 'number' : 'text',
    value: field.value,
    min: field.min,
    max: field.max,
    step: field.step ?? (numeric ? '1' : undefined),
    pattern: numeric ? undefined : '[A-Za-z0-9][A-Za-z0-9._\\-]*',
    autocomplete: 'off',
  });
}

const RECIPES = ['maml', 'staged'] as const;

/** The short pipeline the "staged" recipe sends (the default model's recipe, shrunk to a demo). */
export function stagedDemo(iterations: number): NonNullable<TrainingConfigInput['stages']> {
  const half = Math.max(1, Math.round(iterations / 2));
  return [
    { kind: 'pretrain', epochs: 0.5, evalEvery: 200 },
    { kind: 'meta', innerSteps: 0, iterations: half, evalEvery: Math.max(1, Math.round(half / 4)) },
    { kind: 'meta', algorithm: 'fomaml', innerSteps: 1, innerLr: 0.01, iterations: half, evalEvery: Math.max(1, Math.round(half / 4)) },
  ];
}

export class TrainingForm {
  private readonly form = byId('training-form', HTMLFormElement);
  private readonly status = byId('training-status', HTMLParagraphElement);

  constructor(
    private readonly client: () => MamlClient | null,
    private readonly onSubmitted: (jobId: string) => void,
  ) {
    const recipe = el(
      'div',
      { class: 'field' },
      el('label', { for: 'job-recipe' }, 'Recipe'),
      el(
        'select',
        { id: 'job-recipe', name: 'recipe' },
        el('option', { value: 'maml', selected: true }, 'MAML (one run)'),
        el('option', { value: 'staged' }, 'Staged: pre-training + Proto-MAML'),
      ),
    );
    const rows = [recipe, ...FIELDS.map((field) => el('div', { class: 'field' }, el('label', { for: `job-${field.name}` }, field.label), control(field)))];
    this.form.append(el('div', { class: 'fields' }, ...rows), el('button', { type: 'submit', class: 'primary' }, 'Start training'));
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.submit();
    });
  }

  /** The algorithms the service offers (GET /capabilities), keeping the one selected. */
  showAlgorithms(names: readonly string[]): void {
    const select = this.form.querySelector<HTMLSelectElement>('#job-algorithm');
    if (!select || names.length === 0) return;
    const current = select.value;
    select.replaceChildren(...names.map((name) => el('option', { value: name, selected: name === current }, name)));
  }

  /** The filled-in fields as a TrainingConfigInput (numbers as numbers; empty fields left out). */
  config(): TrainingConfigInput {
    const data = new FormData(this.form);
    const config: Record<string, string | number> = {};
    for (const field of FIELDS) {
      const value = String(data.get(field.name) ?? '').trim();
      if (value !== '') config[field.name] = field.min !== undefined ? Number(value) : value;
    }
    const recipe = String(data.get('recipe') ?? 'maml') as (typeof RECIPES)[number];
    if (recipe !== 'staged') return config as unknown as TrainingConfigInput;
    const { algorithm: _algorithm, iterations, ...rest } = config;
    return { ...(rest as unknown as TrainingConfigInput), stages: stagedDemo(Number(iterations ?? 200)) };
  }

  private async submit(): Promise<void> {
    const client = this.client();
    if (!client) return say(this.status, 'Enter an API key first.', 'error');
    say(this.status, 'Submitting the job…', 'busy');
    try {
      const job = await client.submitJob(this.config());
      say(this.status, `Job ${job.jobId} queued.`, 'ok');
      this.onSubmitted(job.jobId);
    } catch (error) {
      say(this.status, describeError(error), 'error');
    }
  }
}
