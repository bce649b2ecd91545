/** The model picker: ready image classifiers from GET /models, each with its evaluation accuracy. */
import type { MamlClient, Model } from '../../clients/typescript/client.ts';
import { describeError } from './api.ts';
import { byId, el, say } from './dom.ts';

interface Evaluation {
  readonly accuracy: number;
  readonly ci95?: number;
  readonly tasks?: number;
}

/** The classes a model can take, as GET /models states them. */
export function classRange(model: Model): { min: number; max: number } {
  return model.ways;
}

/** The test accuracy as this page gets it (each query alone) when the model has it, else the task-batch one. */
function testEvaluation(model: Model): { test: Evaluation; perImage: boolean } | null {
  const { test, testPerImage } = model.metrics as { test?: Partial<Evaluation>; testPerImage?: Partial<Evaluation> };
  if (typeof testPerImage?.accuracy === 'number') return { test: testPerImage as Evaluation, perImage: true };
  return typeof test?.accuracy === 'number' ? { test: test as Evaluation, perImage: false } : null;
}

/** "test accuracy 89.6 ± 0.7 % per image (5-way 1-shot, 600 tasks)", or a note that it was not evaluated. */
export function describeAccuracy(model: Model): string {
  const evaluation = testEvaluation(model);
  if (!evaluation) return 'not evaluated';
  const { test, perImage } = evaluation;
  const metrics = model.metrics as { nWay?: number; kShot?: number };
  const ci = test.ci95 === undefined ? '' : ` ± ${(test.ci95 * 100).toFixed(1)}`;
  const setting = [metrics.nWay ? `${metrics.nWay}-way` : '', metrics.kShot ? `${metrics.kShot}-shot` : '', test.tasks ? `${test.tasks} tasks` : '']
    .filter(Boolean)
    .join(' ');
  return `test accuracy ${(test.accuracy * 100).toFixed(1)}${ci} %${perImage ? ' per image' : ''}${setting ? ` (${setting})` : ''}`;
}

export class ModelPicker {
  private readonly select = byId('model', HTMLSelectElement);
  private readonly info = byId('model-info', HTMLParagraphElement);
  private models: Model[] = [];

  constructor(private readonly onChange: (model: Model | null) => void) {
    this.select.addEventListener('change', () => this.changed());
  }

  selected(): Model | null {
    return this.models.find((m) => m.id === this.select.value) ?? null;
  }

  /** Lists the models (the default first, selected unless `keep` names another one still listed). */
  async load(client: MamlClient, keep = this.select.value): Promise<void> {
    say(this.info, 'Loading models…', 'busy');
    try {
      const all = await client.listModels({ status: 'ready', limit: 200 });
      this.models = all.filter((m) => m.capabilities.input === 'image'); // what this page can send
    } catch (error) {
      this.models = [];
      this.select.replaceChildren();
      this.select.disabled = true;
      say(this.info, describeError(error), 'error');
      this.onChange(null);
      return;
    }
    this.select.replaceChildren(
      ...this.models.map((m) =>
        el(
          'option',
          { value: m.id },
          `${m.name} v${m.version}${m.isDefault ? ' (default)' : ''} · ${m.ways.min === m.ways.max ? m.ways.max : `${m.ways.min}–${m.ways.max}`}-way ${m.algorithm} · ${describeAccuracy(m)}`,
        ),
      ),
    );
    this.select.disabled = this.models.length === 0;
    if (keep && this.models.some((m) => m.id === keep)) this.select.value = keep;
    this.changed();
  }

  private changed(): void {
    const model = this.selected();
    if (!model) say(this.info, 'No ready image-classification model: train one below.', 'error');
    else {
      const { min, max } = classRange(model);
      say(this.info, `${model.name} v${model.version} takes ${min} to ${max} classes; ${describeAccuracy(model)} on classes it never saw in training.`);
    }
    this.onChange(model);
  }
}
