/**
 * The same evaluation tasks sent through the HTTP API as a client would: the original Omniglot
 * PNG files uploaded to POST /adapt (multipart), the query PNGs to POST /predict, the predicted
 * labels compared with the true ones, the session deleted afterwards.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { TaskPlan } from '../../src/core/tasks/index.ts';
import type { EvaluationSet } from './evaluate.ts';

export interface HttpTarget {
  /** Base URL of the API, e.g. http://127.0.0.1:3000 */
  readonly url: string;
  readonly key: string;
  /** Model id or name the server knows. */
  readonly model: string;
  readonly headOnly: boolean;
}

export class HttpEvaluationError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly request: string,
  ) {
    super(`${request} answered ${status}: ${body.slice(0, 300)}`);
    this.name = 'HttpEvaluationError';
  }
}

async function call(target: HttpTarget, method: string, route: string, body?: FormData): Promise<unknown> {
  const response = await fetch(new URL(route, target.url), { method, headers: { authorization: `Bearer ${target.key}` }, ...(body ? { body } : {}) });
  const text = await response.text();
  if (!response.ok) throw new HttpEvaluationError(response.status, text, `${method} ${route}`);
  return text ? JSON.parse(text) : null;
}

async function appendImages(form: FormData, set: EvaluationSet, indices: readonly number[]): Promise<void> {
  for (const index of indices) {
    const file = set.files[index]!;
    form.append('images', new Blob([await readFile(path.join(set.dir, file))], { type: 'image/png' }), path.basename(file));
  }
}

/** Query accuracy of one task through /adapt and /predict. */
export async function httpTaskAccuracy(target: HttpTarget, set: EvaluationSet, plan: TaskPlan): Promise<number> {
  const labels = plan.classes.map((_, c) => `class ${c}`);
  const support = new FormData();
  support.append('labels', JSON.stringify(plan.classes.flatMap((cls, c) => cls.support.map(() => labels[c]!))));
  support.append('model', target.model);
  if (target.headOnly) support.append('headOnly', 'true');
  await appendImages(
    support,
    set,
    plan.classes.flatMap((cls) => cls.support),
  );
  const session = (await call(target, 'POST', '/adapt', support)) as { sessionId: string };
  try {
    const query = new FormData();
    query.append('sessionId', session.sessionId);
    await appendImages(
      query,
      set,
      plan.classes.flatMap((cls) => cls.query),
    );
    const { predictions } = (await call(target, 'POST', '/predict', query)) as { predictions: { label: string }[] };
    const truth = plan.classes.flatMap((cls, c) => cls.query.map(() => labels[c]!));
    return predictions.filter((p, i) => p.label === truth[i]).length / truth.length;
  } finally {
    await call(target, 'DELETE', `/sessions/${session.sessionId}`);
  }
}

export async function httpAccuracy(target: HttpTarget, set: EvaluationSet, plans: readonly TaskPlan[]): Promise<Float64Array> {
  const perTask = new Float64Array(plans.length);
  for (let i = 0; i < plans.length; i++) perTask[i] = await httpTaskAccuracy(target, set, plans[i]!);
  return perTask;
}
