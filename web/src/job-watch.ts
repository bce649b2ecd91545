/**
 * Watching one training job live: GET /training-jobs/:id/events read with fetch (EventSource
 * cannot send the Authorization header) through the typed client's SSE reader, and the job's
 * learning curves, GET /training-jobs/:id/curve.svg fetched with the key and shown from a blob
 * URL (an <img> cannot send the header either), redrawn as new points arrive.
 */
import type { MamlClient, TrainingJob } from '../../clients/typescript/client.ts';
import { describeError } from './api.ts';
import { byId, percent, say } from './dom.ts';

const CURVE_REFRESH_MS = 2_000;

export function describeProgress(job: Pick<TrainingJob, 'progress' | 'status'>): string {
  const p = job.progress;
  const parts = [`iteration ${p.iteration ?? 0} of ${p.iterations ?? '?'}`];
  if (typeof p.metaLoss === 'number') parts.push(`loss ${p.metaLoss.toPrecision(3)}`);
  if (typeof p.accuracy === 'number') parts.push(`accuracy ${percent(p.accuracy)}`);
  const validation = p.validation;
  if (typeof validation?.accuracy === 'number')
    parts.push(`validation ${percent(validation.accuracy)}${typeof validation.ci95 === 'number' ? ` ± ${percent(validation.ci95)}` : ''}`);
  if (job.status === 'running' && typeof p.tasksPerSecond === 'number') parts.push(`${p.tasksPerSecond.toFixed(1)} tasks/s`);
  if (job.status === 'running' && typeof p.etaSeconds === 'number') parts.push(`ETA ${Math.ceil(p.etaSeconds)} s`);
  return parts.join(' · ');
}

export class JobWatch {
  private readonly section = byId('job-watch', HTMLElement);
  private readonly heading = byId('watch-heading', HTMLHeadingElement);
  private readonly status = byId('watch-status', HTMLParagraphElement);
  private readonly bar = byId('watch-progress', HTMLProgressElement);
  private readonly curve = byId('watch-curve', HTMLImageElement);
  private following: AbortController | null = null;
  private curveUrl: string | null = null;
  private lastCurve = 0;

  constructor(
    private readonly client: () => MamlClient | null,
    private readonly onStatus: () => void,
  ) {}

  stop(): void {
    this.following?.abort();
    this.following = null;
  }

  /** Shows the job's curves and follows its events until it finishes or another job is watched. */
  async watch(jobId: string): Promise<void> {
    const client = this.client();
    if (!client) return;
    this.stop();
    const following = new AbortController();
    this.following = following;
    this.section.hidden = false;
    this.heading.textContent = `Learning curves of job ${jobId}`;
    say(this.status, 'Connecting…', 'busy');
    const job: Pick<TrainingJob, 'progress' | 'status'> = { status: 'queued', progress: {} };
    try {
      await this.refreshCurve(client, jobId);
      for await (const message of client.jobEvents(jobId, { signal: following.signal })) {
        if (message.type === 'job') Object.assign(job, { status: message.job.status, progress: message.job.progress });
        else if (message.type === 'progress') Object.assign(job, { status: 'running', progress: { ...job.progress, ...message } });
        else if (message.type === 'validation' && message.accuracy !== null && message.ci95 !== null) {
          job.progress = { ...job.progress, validation: { accuracy: message.accuracy, ci95: message.ci95, iteration: message.iteration } };
        } else if (message.type === 'status') {
          job.status = message.status;
          this.onStatus();
        } else if (message.type === 'note') {
          say(this.status, message.message, 'busy');
          continue;
        }
        this.show(job);
        if (message.type !== 'progress' || Date.now() - this.lastCurve > CURVE_REFRESH_MS) await this.refreshCurve(client, jobId);
      }
      await this.refreshCurve(client, jobId);
      if (!following.signal.aborted) say(this.status, `${job.status}: ${describeProgress(job)}`, job.status === 'completed' ? 'ok' : 'info');
    } catch (error) {
      if (!following.signal.aborted) say(this.status, describeError(error), 'error');
    }
  }

  private show(job: Pick<TrainingJob, 'progress' | 'status'>): void {
    say(this.status, `${job.status}: ${describeProgress(job)}`, job.status === 'failed' ? 'error' : 'info');
    const { iteration = 0, iterations = 0 } = job.progress;
    this.bar.max = Math.max(1, iterations);
    this.bar.value = iteration;
  }

  private async refreshCurve(client: MamlClient, jobId: string): Promise<void> {
    this.lastCurve = Date.now();
    const { data, response } = await client.api.GET('/training-jobs/{id}/curve.svg', { params: { path: { id: jobId } }, parseAs: 'blob' });
    if (!response.ok || !(data instanceof Blob)) return;
    const previous = this.curveUrl;
    this.curveUrl = URL.createObjectURL(data);
    this.curve.src = this.curveUrl;
    if (previous) URL.revokeObjectURL(previous);
  }
}
