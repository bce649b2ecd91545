/** The job list (GET /training-jobs, admin) with each job's actions: watch, cancel, promote its model. */
import type { MamlClient, TrainingJob } from '../../clients/typescript/client.ts';
import { describeError } from './api.ts';
import { byId, el, say } from './dom.ts';
import { describeProgress } from './job-watch.ts';

export interface JobActions {
  readonly watch: (jobId: string) => void;
  /** After a model was promoted to the default. */
  readonly promoted: () => void;
}

export class JobList {
  private readonly body = byId('jobs', HTMLTableElement).tBodies[0]!;
  private readonly status = byId('training-status', HTMLParagraphElement);

  constructor(
    private readonly client: () => MamlClient | null,
    private readonly actions: JobActions,
  ) {
    byId('refresh-jobs', HTMLButtonElement).addEventListener('click', () => void this.load());
  }

  async load(): Promise<void> {
    const client = this.client();
    if (!client) return say(this.status, 'Enter an API key first.', 'error');
    try {
      const jobs = await client.listJobs({ limit: 20 });
      this.body.replaceChildren(...jobs.map((job) => this.row(job)));
      if (jobs.length === 0) this.body.append(el('tr', {}, el('td', { colspan: 4 }, 'No training jobs yet.')));
    } catch (error) {
      this.body.replaceChildren();
      say(this.status, describeError(error), 'error');
    }
  }

  private row(job: TrainingJob): HTMLTableRowElement {
    const title = job.name ?? job.jobId.slice(0, 8);
    const buttons: HTMLButtonElement[] = [this.button(`Watch`, `Watch job ${title}`, () => this.actions.watch(job.jobId))];
    if (job.status === 'queued' || job.status === 'running') buttons.push(this.button('Cancel', `Cancel job ${title}`, () => this.cancel(job)));
    if (job.status === 'completed' && job.modelId)
      buttons.push(this.button('Promote model', `Make the model of job ${title} the default`, () => this.promote(job.modelId!)));
    return el(
      'tr',
      { 'data-job': job.jobId },
      el('td', {}, el('span', { class: 'job-name' }, title), el('br'), el('small', {}, new Date(job.createdAt).toLocaleString())),
      el('td', {}, job.cancelRequested && job.status === 'running' ? 'cancelling' : job.status),
      el('td', {}, job.error ?? describeProgress(job)),
      el('td', { class: 'job-actions' }, ...buttons),
    );
  }

  private button(text: string, label: string, action: () => void | Promise<void>): HTMLButtonElement {
    const button = el('button', { type: 'button', 'aria-label': label }, text);
    button.addEventListener('click', () => void action());
    return button;
  }

  private async cancel(job: TrainingJob): Promise<void> {
    try {
      const cancelled = await this.client()!.cancelJob(job.jobId);
      say(this.status, cancelled.status === 'cancelled' ? `Job ${job.jobId} cancelled.` : `Job ${job.jobId} stops within an iteration.`, 'ok');
    } catch (error) {
      say(this.status, describeError(error), 'error');
    }
    await this.load();
  }

  private async promote(modelId: string): Promise<void> {
    try {
      const model = await this.client()!.promoteModel(modelId);
      say(this.status, `${model.name} v${model.version} is now the default model.`, 'ok');
      this.actions.promoted();
    } catch (error) {
      say(this.status, describeError(error), 'error');
    }
  }
}
