/**
 * The web console (web/, built by `npm run build` into dist/web) served under `/`. Its routes are
 * public (the page asks for a key and calls the API with it) and hidden from the OpenAPI document
 * (@fastify/static marks them `schema.hide`; they are the page, not the API). Every response of
 * the console carries a strict Content-Security-Policy; `index.html` is revalidated on each visit
 * (`no-cache`), the content-hashed files under `assets/` are cached for a year (`immutable`).
 * Without a build the API still starts and `GET /` answers 404 CONSOLE_NOT_BUILT.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';
import { HttpError } from '../../shared/errors.ts';
import { packageFile } from '../../package-root.ts';

export const CONSOLE_DIR = fileURLToPath(packageFile('dist/web'));

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

export const HASHED_ASSET_CACHE = 'public, max-age=31536000, immutable';

export interface ConsoleOptions {
  /** The built console: a folder holding index.html and assets/. */
  readonly root: string;
}

function setConsoleHeaders(reply: FastifyReply, file: string): void {
  const hashed = path.basename(path.dirname(file)) === 'assets';
  reply.header('cache-control', hashed ? HASHED_ASSET_CACHE : 'no-cache');
  reply.header('content-security-policy', CONSOLE_CSP);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('cross-origin-opener-policy', 'same-origin');
}

export class ConsoleNotBuiltError extends HttpError {
  constructor(readonly root: string) {
    super(404, 'CONSOLE_NOT_BUILT', 'the web console is not built: run `npm run build`, then restart the API');
  }
}

/** Encapsulated (not fastify-plugin), so the onRoute hook marks only the console's routes public. */
export default async function consolePlugin(app: FastifyInstance, options: ConsoleOptions): Promise<void> {
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, auth: 'public' };
  });
  if (!existsSync(path.join(options.root, 'index.html'))) {
    app.log.info({ root: options.root }, 'web console not built (npm run build); GET / answers 404');
    app.get('/', { schema: { hide: true } }, async () => {
      throw new ConsoleNotBuiltError(options.root);
    });
    return;
  }
  await app.register(fastifyStatic, {
    root: options.root,
    prefix: '/',
    wildcard: false, // one route per built file, found at start-up; anything else is the API's JSON 404
    index: ['index.html'],
    decorateReply: false,
    dotfiles: 'ignore',
    cacheControl: false,
    etag: true,
    lastModified: true,
    setHeaders: setConsoleHeaders,
  });
}
