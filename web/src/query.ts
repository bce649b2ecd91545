/**
 * Queries: a drawing pad whose example goes to POST /predict when a stroke ends (debounced) or a
 * file is chosen or dropped; the answer shows as the predicted label and a bar per class. The
 * shipped models normalise over the request's images (transductive batch norm, as MAML trains),
 * so by default the query is sent first in a batch with the support examples as reference, and
 * only its own prediction is shown.
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
  private readonly reference = byId('reference-batch', HTMLInputElement);
  private session: AdaptResult | null = null;
  private supportImages: readonly Blob[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Answers to older queries that arrive late are dropped. */
  private latest = 0;

  constructor(private readonly client: () => MamlClient | null) {
    this.pad = new DrawPad({ name: 'the query', onChange: () => this.schedule(), onError: (message) => say(this.status, message, 'error') });
    byId('query-pad', HTMLDivElement).append(this.pad.element);
    this.reference.addEventListener('change', () => this.schedule());
  }

  useSession(session: AdaptResult | null, supportImages: readonly Blob[] = []): void {
    this.session = session;
    this.supportImages = supportImages;
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
      const result = await client.predict(session.sessionId, this.reference.checked ? [query, ...this.supportImages] : [query]);
      if (ticket === this.latest) this.show(result, source);
    } catch (error) {
      if (ticket === this.latest) say(this.status, describeError(error), 'error');
    }
  }

  private show(result: PredictResult, source: string): void {
    const prediction = result.predictions[0];
    if (!prediction) return say(this.status, 'The service returned no prediction.', 'error');
    const ranked = Object.entries(prediction.scores).sort((a, b) => b[1] - a[1]);
    const batch = result.predictions.length > 1 ? ` with ${result.predictions.length - 1} reference images` : ' alone';
    say(this.status, `Prediction for ${source}: ${prediction.label} (${percent(prediction.scores[prediction.label] ?? 0)}; scored${batch} in ${milliseconds(result.timings.predictMs)})`, 'ok');
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
