/** The console plugin on its own (no database): headers of the built files, public and hidden routes, and the API without a build. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import authPlugin from '../../src/api/plugins/auth.ts';
import consolePlugin, { CONSOLE_CSP, HASHED_ASSET_CACHE } from '../../src/api/plugins/console.ts';
import errorHandlerPlugin from '../../src/api/plugins/error-handler.ts';
import type { Db } from '../../src/shared/db/client.ts';

/** A fake build: what `vite build` writes (index.html naming content-hashed assets) and a stray dotfile. */
async function fakeBuild(): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'maml-console-'));
  await mkdir(path.join(root, 'assets'));
  await writeFile(path.join(root, 'index.html'), '<!doctype html><script type="module" src="/assets/index-Ab12Cd34.js"></script>');
  await writeFile(path.join(root, 'assets', 'index-Ab12Cd34.js'), 'console.log(1)');
  await writeFile(path.join(root, 'assets', 'index-Ef56Gh78.css'), 'body{}');
  await writeFile(path.join(root, '.env'), 'SECRET=1');
  return root;
}

/** The plugins the console depends on in src/api/app.ts, a route needing a key, and a record of every route's schema. */
async function appServing(root: string): Promise<{ app: FastifyInstance; hidden: Map<string, boolean> }> {
  const app = Fastify({ logger: false });
  const hidden = new Map<string, boolean>();
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) hidden.set(`${method} ${route.url}`, Boolean((route.schema as { hide?: boolean } | undefined)?.hide));
  });
  await app.register(errorHandlerPlugin);
  const db = new Proxy({}, { get: () => assert.fail('the console must not look up keys') }) as Db;
  await app.register(authPlugin, { db, disabled: false });
  await app.register(consolePlugin, { root });
  app.get('/models', { config: { auth: 'client' } }, async () => ({ models: [] }));
  await app.ready();
  return { app, hidden };
}

test('the built console: index.html revalidated, hashed assets immutable, a strict CSP on each, no key needed', async (t) => {
  const root = await fakeBuild();
  t.after(() => rm(root, { recursive: true, force: true }));
  const { app } = await appServing(root);
  t.after(() => app.close());

  for (const url of ['/', '/index.html']) {
    const page = await app.inject({ method: 'GET', url });
    assert.equal(page.statusCode, 200, url);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.equal(page.headers['cache-control'], 'no-cache');
    assert.equal(page.headers['content-security-policy'], CONSOLE_CSP);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.match(page.body, /index-Ab12Cd34\.js/);
  }
  const script = await app.inject({ method: 'GET', url: '/assets/index-Ab12Cd34.js' });
  assert.equal(script.statusCode, 200);
  assert.match(String(script.headers['content-type']), /^(text|application)\/javascript/);
  assert.equal(script.headers['cache-control'], HASHED_ASSET_CACHE);
  assert.equal(script.headers['content-security-policy'], CONSOLE_CSP);
  const style = await app.inject({ method: 'GET', url: '/assets/index-Ef56Gh78.css' });
  assert.match(String(style.headers['content-type']), /^text\/css/);
  assert.equal(style.headers['cache-control'], HASHED_ASSET_CACHE);
  const revalidated = await app.inject({
    method: 'GET',
    url: '/',
    headers: { 'if-none-match': String((await app.inject({ method: 'GET', url: '/' })).headers.etag) },
  });
  assert.equal(revalidated.statusCode, 304);

  for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"]) {
    assert.ok(CONSOLE_CSP.includes(directive), directive);
  }
  assert.doesNotMatch(CONSOLE_CSP, /unsafe-inline|unsafe-eval|https?:/);
});

test('anything else is the API: JSON 404s (dotfiles too), and API routes still need a key', async (t) => {
  const root = await fakeBuild();
  t.after(() => rm(root, { recursive: true, force: true }));
  const { app } = await appServing(root);
  t.after(() => app.close());
  for (const url of ['/.env', '/assets/missing.js', '/assets/', '/../package.json', '/nope']) {
    const missing = await app.inject({ method: 'GET', url });
    assert.equal(missing.statusCode, 404, url);
    assert.equal(missing.json().error.code, 'ROUTE_NOT_FOUND', url);
    assert.equal(missing.headers['content-security-policy'], undefined, url);
  }
  const api = await app.inject({ method: 'GET', url: '/models' });
  assert.equal(api.statusCode, 401);
  assert.equal(api.json().error.code, 'UNAUTHORIZED');
});

test('the console routes are hidden from the OpenAPI document (schema.hide), built or not', async (t) => {
  for (const root of [await fakeBuild(), await mkdtemp(path.join(os.tmpdir(), 'maml-console-empty-'))]) {
    t.after(() => rm(root, { recursive: true, force: true }));
    const { app, hidden } = await appServing(root);
    t.after(() => app.close());
    const consoleRoutes = [...hidden].filter(([route]) => route !== 'GET /models' && !route.startsWith('HEAD '));
    assert.ok(
      consoleRoutes.some(([route]) => route === 'GET /'),
      JSON.stringify(consoleRoutes),
    );
    for (const [route, isHidden] of consoleRoutes) assert.ok(isHidden, `${route} is hidden`);
    assert.equal(hidden.get('GET /models'), false);
  }
});

test('without a build the API starts and GET / answers 404 CONSOLE_NOT_BUILT, saying to run npm run build', async (t) => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'maml-console-empty-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const { app } = await appServing(root);
  t.after(() => app.close());
  const page = await app.inject({ method: 'GET', url: '/' });
  assert.equal(page.statusCode, 404);
  assert.match(String(page.headers['content-type']), /^application\/json/);
  assert.equal(page.json().error.code, 'CONSOLE_NOT_BUILT');
  assert.match(page.json().error.message, /npm run build/);
  assert.equal((await app.inject({ method: 'GET', url: '/index.html' })).json().error.code, 'ROUTE_NOT_FOUND');
  assert.equal((await app.inject({ method: 'GET', url: '/models' })).statusCode, 401);
});
