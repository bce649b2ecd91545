/** Debian's chromium driven by playwright-core (never a downloaded browser), and the console's build for the browser tests. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from './processes.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless, and quiet on a closed network (no background requests, updates or sync). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Why the browser tests cannot run here, or null when they can. Outside CI a missing chromium
 * skips them (with this reason); in CI (CI=true) it fails them: `.ci/run` installs it.
 */
export function chromiumMissing(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const reason = `${CHROMIUM} is missing (apt-get install -y chromium)`;
  if (process.env.CI === 'true') throw new Error(`${reason}: CI must run the browser tests`);
  return reason;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** `npm run build` (vite build of web/ into dist/web), always, so the test never serves a stale console (about 2 s). */
export function buildConsole(): void {
  const vite = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const build = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`vite build failed (${build.status}): ${build.stderr}${build.stdout}`);
  if (!existsSync(path.join(ROOT, 'dist', 'web', 'index.html'))) throw new Error('vite build wrote no dist/web/index.html');
}

/**
 * Opens the console at `base` in a new page and enters `key`. `violations` collects what the
 * browser reports against the Content-Security-Policy, and uncaught page errors.
 */
export async function openConsole(browser: Browser, base: string, key: string): Promise<{ page: Page; violations: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  page.setDefaultTimeout(15_000);
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content.Security.Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  page.on('pageerror', (error) => violations.push(`page error: ${error.message}`));
  const response = await page.goto(`${base}/`);
  assert.equal(response?.status(), 200);
  assert.match(String(response?.headers()['content-security-policy']), /script-src 'self'/);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Use key' }).click();
  assert.equal(await page.evaluate("sessionStorage.getItem('maml-console.api-key')"), key);
  return { page, violations };
}
