/**
 * The support set: one card per class (a name and a drawing pad holding its example), and the
 * Adapt button that sends them to POST /adapt as multipart (labels JSON + one image part each).
 * Two cards with the same name are two examples of one class.
 */
import type { AdaptResult, MamlClient, Model } from '../../clients/typescript/client.ts';
import { describeError } from './api.ts';
import { byId, el, milliseconds, percent, say } from './dom.ts';
import { DrawPad } from './draw-pad.ts';
import { classRange } from './models.ts';

const FIRST_CLASSES = 5;

interface ClassCard {
  readonly item: HTMLLIElement;
  readonly name: HTMLInputElement;
  readonly pad: DrawPad;
}

export class SupportSet {
  private readonly list = byId('classes', HTMLOListElement);
  private readonly addButton = byId('add-class', HTMLButtonElement);
  private readonly adaptButton = byId('adapt', HTMLButtonElement);
  private readonly status = byId('adapt-status', HTMLParagraphElement);
  private readonly cards: ClassCard[] = [];
  private model: Model | null = null;
  private numbered = 0;

  constructor(
    private readonly client: () => MamlClient | null,
    private readonly onAdapted: (result: AdaptResult) => void,
  ) {
    for (let i = 0; i < FIRST_CLASSES; i++) this.addCard();
    this.addButton.addEventListener('click', () => this.addCard().name.focus());
    this.adaptButton.addEventListener('click', () => void this.adapt());
  }

  useModel(model: Model | null): void {
    this.model = model;
    this.refresh();
  }

  private addCard(): ClassCard {
    const n = ++this.numbered;
    const name = el('input', { type: 'text', id: `class-${n}-name`, value: `class ${n}`, maxlength: 200, required: true, autocomplete: 'off' });
    const pad = new DrawPad({ name: `class ${n}`, onChange: () => say(this.status, ''), onError: (message) => say(this.status, message, 'error') });
    const remove = el('button', { type: 'button', class: 'remove', 'aria-label': `Remove class ${n}` }, 'Remove');
    const item = el('li', { class: 'class-card' }, el('label', { for: name.id }, `Name of class ${n}`), name, pad.element, remove);
    const card = { item, name, pad };
    remove.addEventListener('click', () => this.removeCard(card));
    this.cards.push(card);
    this.list.append(item);
    this.refresh();
    return card;
  }

  private removeCard(card: ClassCard): void {
    if (this.cards.length <= 2) return say(this.status, 'A support set needs at least two classes.', 'error');
    this.cards.splice(this.cards.indexOf(card), 1);
    card.item.remove();
    this.refresh();
    this.addButton.focus();
  }

  private refresh(): void {
    const max = this.model ? classRange(this.model).max : Infinity;
    this.addButton.disabled = this.cards.length >= max;
    this.adaptButton.disabled = !this.model;
    for (const button of this.list.querySelectorAll<HTMLButtonElement>('button.remove')) button.disabled = this.cards.length <= 2;
  }

  /** The reason the set cannot be sent yet, or null. */
  private problem(): string | null {
    const labels = this.cards.map((c) => c.name.value.trim());
    const unnamed = labels.indexOf('');
    if (unnamed !== -1) return `Class ${unnamed + 1} has no name.`;
    const empty = this.cards.findIndex((c) => c.pad.isEmpty());
    if (empty !== -1) return `${labels[empty]} has no example: draw one or choose an image.`;
    if (new Set(labels).size < 2) return 'Name at least two different classes.';
    return null;
  }

  private async adapt(): Promise<void> {
    const client = this.client();
    if (!client || !this.model) return say(this.status, 'Enter an API key and pick a model first.', 'error');
    const problem = this.problem();
    if (problem) return say(this.status, problem, 'error');
    this.adaptButton.disabled = true;
    say(this.status, `Adapting ${this.model.name} to ${this.cards.length} examples…`, 'busy');
    try {
      const support = await Promise.all(this.cards.map(async (c) => ({ label: c.name.value.trim(), file: await c.pad.toBlob() })));
      const result = await client.adapt({ support, model: this.model.id });
      const t = result.timings;
      say(
        this.status,
        `Adapted to ${result.labels.length} classes in ${milliseconds(t.adaptMs)} (decoding ${milliseconds(t.decodeMs)}, queue ${milliseconds(t.queueMs)}), ` +
          `${result.steps ?? '?'} step${result.steps === 1 ? '' : 's'}${result.headOnly ? ' on the head' : ''} · support accuracy ${percent(result.support.accuracy)}, loss ${result.support.loss.toPrecision(3)} · ` +
          `session ${result.sessionId} until ${new Date(result.expiresAt).toLocaleTimeString()}.`,
        'ok',
      );
      this.onAdapted(result);
    } catch (error) {
      say(this.status, describeError(error), 'error');
    } finally {
      this.refresh();
    }
  }
}
