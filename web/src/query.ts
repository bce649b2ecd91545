/**
 * Queries: a drawing pad whose example goes to POST /predict when a stroke ends (debounced) or a
 * file is chosen or dropped; the answer shows as the predicted label and a bar per class. The
 * service scores each image on its own (normalised with the support set's statistics), so the
 * query is sent alone.
 */
import type { AdaptResult, MamlClient, PredictResult } from '../../clients/typescript/client.ts';
import { describeError } from './api.ts';
import { byId, el, milliseconds, percent, say } from './dom.ts';
import { DrawPad } from './draw-pad.ts';

const DEBOUNCE_MS = 250;

export class QueryPanel {
  private readonly status = byId('query-status', HTMLParagraphElement);
  private readonly scores = byId('scores', HTMLOListElement);
  private readonly pad: DrawPad;
  private session: AdaptResult | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Answers to older queries that arrive late are dropped. */
  private latest = 0;

  constructor(private readonly client: () => MamlClient | null) {
    this.pad = new DrawPad({ name: 'the query', onChange: () => this.schedule(), onError: (message) => say(this.status, message, 'error') });
    byId('query-pad', HTMLDivElement).append(this.pad.element);
  }

  useSession(session: AdaptResult | null): void {
    this.session = session;
    this.scores.replaceChildren();
    say(this.status, session ? `Ready: draw or drop an example of ${session.labels.join(', ')}.` : 'Adapt a support set first.');
    if (session && !this.pad.isEmpty()) this.schedule();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.pad.isEmpty()) {
      this.scores.replaceChildren();
      return;
    }
    this.timer = setTimeout(() => void this.predict(), DEBOUNCE_MS);
  }

  private async predict(): Promise<void> {
    const client = this.client();
    const session = this.session;
    if (!client || !session) return say(this.status, 'Adapt a support set first.', 'error');
    const ticket = ++this.latest;
    const source = this.pad.source;
    say(this.status, `Predicting ${source}…`, 'busy');
    try {
      const query = await this.pad.toBlob();
      const result = await client.predict(session.sessionId, [query]);
      if (ticket === this.latest) this.show(result, source);
    } catch (error) {
      if (ticket === this.latest) say(this.status, describeError(error), 'error');
    }
  }

  private show(result: PredictResult, source: string): void {
    const prediction = result.predictions[0];
    if (!prediction) return say(this.status, 'The service returned no prediction.', 'error');
    const ranked = Object.entries(prediction.scores).sort((a, b) => b[1] - a[1]);
    say(
      this.status,
      `Prediction for ${source}: ${prediction.label} (${percent(prediction.scores[prediction.label] ?? 0)}, in ${milliseconds(result.timings.predictMs)})`,
      'ok',
    );
    this.scores.replaceChildren(
      ...ranked.map(([label, score], i) => {
        const id = `score-${i}`;
        return el(
          'li',
          { class: label === prediction.label ? 'score top' : 'score', 'data-label': label },
          el('label', { for: id, class: 'score-label' }, label),
          el('meter', { id, min: 0, max: 1, value: score }),
          el('span', { class: 'score-value' }, percent(score)),
        );
      }),
    );
  }
}
