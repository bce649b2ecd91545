/**
 * The console's training panel in chromium against the real API and a worker, with an admin key:
 * start a small job from the form, watch it live (SSE) to completion with its learning curves,
 * promote its model, and cancel a long job from the job list.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildConsole, chromiumMissing, launchChromium, openConsole } from '../helpers/browser.ts';
import { startConsoleService } from '../helpers/console-service.ts';

const missing = chromiumMissing();

test('console: train from the form, follow the job live, promote its model, cancel another job', { skip: missing ?? false, timeout: 120_000 }, async (t) => {
  buildConsole();
  const service = await startConsoleService(t, 'admin', { worker: true });
  const browser = await launchChromium();
  t.after(() => browser.close());
  const { page, violations } = await openConsole(browser, service.base, service.key);
  await page.locator('#jobs tbody', { hasText: 'No training jobs yet.' }).waitFor();

  // A sinusoid job of 40 iterations finishes in seconds.
  await page.getByLabel('Dataset').selectOption('sinusoid');
  await page.getByLabel('Iterations', { exact: true }).fill('40');
  await page.getByLabel('Validate every (iterations)').fill('10');
  await page.getByLabel('Validation tasks').fill('10');
  await page.getByLabel('Final test tasks').fill('10');
  await page.getByLabel('Name of the model (optional)').fill('console-demo');
  await page.getByRole('button', { name: 'Start training' }).click();
  const queued = await page.locator('#training-status', { hasText: /^Job [0-9a-f-]{36} queued\.$/ }).innerText();
  const jobId = queued.split(' ')[1]!;

  await page.locator('#watch-heading', { hasText: `Learning curves of job ${jobId}` }).waitFor();
  const done = await page.locator('#watch-status', { hasText: /^completed: / }).innerText({ timeout: 60_000 });
  assert.match(done, /^completed: iteration 40 of 40 · loss [\d.e+-]+/);
  assert.equal(await page.locator('#watch-progress').getAttribute('value'), '40');
  const curve = page.getByRole('img', { name: /Learning curves of the watched job/ });
  assert.match(String(await curve.getAttribute('src')), /^blob:/);
  const drawn = await curve.evaluate((img) =>
    (img as unknown as { decode(): Promise<void>; naturalWidth: number }).decode().then(() => (img as unknown as { naturalWidth: number }).naturalWidth),
  );
  assert.ok(drawn > 0, `the curve SVG is drawn (${drawn} px wide)`);

  // The job list (refreshed on the status event) offers its model for promotion.
  const row = page.locator(`#jobs tr[data-job="${jobId}"]`);
  await row.locator('td', { hasText: /^completed$/ }).waitFor();
  await row.getByRole('button', { name: 'Make the model of job console-demo the default' }).click();
  await page.locator('#training-status', { hasText: 'console-demo v1 is now the default model.' }).waitFor();
  const models = (await (await fetch(`${service.base}/models`, { headers: { authorization: `Bearer ${service.key}` } })).json()) as {
    models: { name: string; isDefault: boolean }[];
  };
  assert.equal(models.models.find((m) => m.isDefault)?.name, 'console-demo');

  // A long job, cancelled from its row; the watched stream ends with its status.
  await page.getByLabel('Iterations', { exact: true }).fill('100000');
  await page.getByLabel('Name of the model (optional)').fill('too-long');
  await page.getByRole('button', { name: 'Start training' }).click();
  const longJob = (await page.locator('#training-status', { hasText: /^Job [0-9a-f-]{36} queued\.$/ }).innerText()).split(' ')[1]!;
  await page.locator('#watch-status', { hasText: /^running: iteration [1-9]/ }).waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Refresh jobs' }).click();
  await page.locator(`#jobs tr[data-job="${longJob}"]`).getByRole('button', { name: 'Cancel job too-long' }).click();
  await page.locator('#training-status', { hasText: new RegExp(`^Job ${longJob} (cancelled|stops within an iteration)\\.$`) }).waitFor();
  await page.locator('#watch-status', { hasText: /^cancelled: / }).waitFor({ timeout: 30_000 });
  await page.locator(`#jobs tr[data-job="${longJob}"] td`, { hasText: /^cancelled$/ }).waitFor();
  assert.deepEqual(violations, []);
});
