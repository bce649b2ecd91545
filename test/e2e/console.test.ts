/**
 * The web console in a real browser against the real API process: enter a key, pick the default
 * 5-way model, upload a 5-way 1-shot support set of real Omniglot characters from an alphabet the
 * model never saw (evaluation set), adapt, then query a different drawing of each character and
 * check the predicted labels; draw a query with the mouse; no CSP violations; phone width.
 * Saves a screenshot of the prediction view: CONSOLE_SCREENSHOT=docs/console.png refreshes the
 * README's (`npm run screenshot:console`); by default it goes to the temp folder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildConsole, chromiumMissing, launchChromium, openConsole } from '../helpers/browser.ts';
import { startConsoleService } from '../helpers/console-service.ts';
import { ROOT } from '../helpers/processes.ts';

const OMNIGLOT = process.env.OMNIGLOT_DIR ?? path.resolve(ROOT, '../shared/data/omniglot');
// Fixed picks: the first five characters of Gurmukhi; each class's example is its second drawing
// (sorted by name), the queries their third. The shipped model gets all five right this way.
const ALPHABET = path.join(OMNIGLOT, 'images_evaluation', 'Gurmukhi');
const SCREENSHOT = process.env.CONSOLE_SCREENSHOT ? path.resolve(ROOT, process.env.CONSOLE_SCREENSHOT) : path.join(os.tmpdir(), 'maml-console.png');

interface Character {
  readonly label: string;
  readonly support: string;
  readonly query: string;
}

async function pickCharacters(): Promise<Character[]> {
  const folders = (await readdir(ALPHABET)).sort().slice(0, 5);
  return Promise.all(
    folders.map(async (folder, i) => {
      const drawings = (await readdir(path.join(ALPHABET, folder))).sort();
      return { label: `Gurmukhi ${i + 1}`, support: path.join(ALPHABET, folder, drawings[1]!), query: path.join(ALPHABET, folder, drawings[2]!) };
    }),
  );
}

const missing = chromiumMissing();

test('console: adapt to a drawn/uploaded 5-way 1-shot Omniglot support set and predict queries in chromium', {
  skip: missing ?? false,
  timeout: 90_000,
}, async (t) => {
  buildConsole();
  const service = await startConsoleService(t, 'client');
  const characters = await pickCharacters();
  const browser = await launchChromium();
  t.after(() => browser.close());
  const { page, violations } = await openConsole(browser, service.base, service.key);

  // The default model is selected, with its evaluation accuracy; a client key sees the API's 403 for training.
  const model = page.getByLabel('Model', { exact: true });
  await page.locator('#model option').first().waitFor({ state: 'attached' });
  // The shipped model's own per-image test metric, as models/omniglot.safetensors.json records it.
  const shipped = JSON.parse(readFileSync(path.join(ROOT, 'models/omniglot.safetensors.json'), 'utf8')) as {
    metrics: { testPerImage: { accuracy: number; ci95: number; tasks: number }; nWay: number; kShot: number };
  };
  const { testPerImage: m, nWay, kShot } = shipped.metrics;
  const summary = `omniglot v1 (default) · 2–100-way proto-maml · test accuracy ${(m.accuracy * 100).toFixed(1)} ± ${(m.ci95 * 100).toFixed(1)} % per image (${nWay}-way ${kShot}-shot ${m.tasks} tasks)`;
  assert.ok((await model.locator('option:checked').innerText()).startsWith(summary), summary);
  await page.locator('#training-status', { hasText: "403 FORBIDDEN: this key's role is client; the route needs admin" }).waitFor();

  for (const [i, character] of characters.entries()) {
    await page.getByLabel(`Name of class ${i + 1}`).fill(character.label);
    await page.getByLabel(`Image file for class ${i + 1}`).setInputFiles(character.support);
  }
  await page.getByRole('button', { name: 'Adapt' }).click();
  const adapted = await page.locator('#adapt-status', { hasText: 'Adapted to 5 classes' }).innerText();
  assert.match(adapted, /in [\d.]+ ms \(decoding [\d.]+ ms, queue [\d.]+ ms\), 1 step on the head · support accuracy 100\.0 %/);

  // A mouse drawing is predicted when the pen lifts: one bar per class, scores summing to 100 %.
  const pad = page.getByRole('img', { name: /Drawing pad for the query/ });
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
  await page.mouse.down();
  for (const [x, y] of [
    [0.7, 0.3],
    [0.5, 0.5],
    [0.5, 0.8],
  ] as const)
    await page.mouse.move(box.x + box.width * x, box.y + box.height * y, { steps: 8 });
  await page.mouse.up();
  await page.locator('#query-status', { hasText: 'Prediction for drawing:' }).waitFor();
  const shown = await page
    .locator('#scores li')
    .evaluateAll((items) => items.map((li) => [li.getAttribute('data-label'), li.querySelector('.score-value')?.textContent]));
  assert.deepEqual(shown.map(([label]) => label).sort(), characters.map((c) => c.label).sort());
  const total = shown.reduce((sum, [, value]) => sum + Number.parseFloat(String(value)), 0);
  assert.ok(Math.abs(total - 100) < 0.6, `scores add up to ${total} %`);

  // Each character's third drawing, chosen as a file; the last one stays on screen for the screenshot.
  const order = [1, 2, 3, 4, 0].map((i) => characters[i]!);
  const predicted: string[] = [];
  for (const character of order) {
    await page.getByLabel('Image file for the query').setInputFiles(character.query);
    const status = await page.locator('#query-status', { hasText: `Prediction for ${path.basename(character.query)}:` }).innerText();
    const top = await page.locator('#scores li.top').getAttribute('data-label');
    assert.ok(status.includes(`: ${top} (`), `${status} names the top bar ${top}`);
    predicted.push(top!);
  }
  const right = order.filter((c, i) => predicted[i] === c.label).length;
  assert.ok(right >= 4, `the console showed the right class for ${right} of 5 queries: ${predicted.join(', ')}`);
  assert.equal(predicted.at(-1), order.at(-1)!.label, 'the query in the screenshot is predicted right');

  const [top, bottom] = (await page.evaluate(
    "[document.getElementById('support-panel').getBoundingClientRect().top + scrollY, document.getElementById('query-panel').getBoundingClientRect().bottom + scrollY]",
  )) as [number, number];
  await page.screenshot({ path: SCREENSHOT, fullPage: true, clip: { x: 0, y: top - 8, width: 1100, height: bottom - top + 16 } });
  t.diagnostic(`screenshot: ${SCREENSHOT}`);

  await page.setViewportSize({ width: 375, height: 800 });
  const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
  assert.ok(overflow <= 0, `at phone width the page scrolls sideways by ${overflow} px`);
  assert.deepEqual(violations, []);
});
