/**
 * Bearer API keys. Each route says who may call it in `config.auth`: 'public', 'client' (any key)
 * or 'admin'. Known keys are cached for a minute, so a PostgreSQL outage does not lock out
 * clients that were already in use; revocation (`DELETE /keys/:id`) takes effect at once in the
 * process that revoked the key and within that minute in the others.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { findApiKey, hashKey, type ApiKeyIdentity, type Role } from '../auth/api-keys.ts';
import type { Db } from '../../shared/db/client.ts';
import { ForbiddenError, UnauthorizedError } from '../../shared/errors.ts';

export type RouteAuth = 'public' | Role;

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
  }
  interface FastifyRequest {
    apiKey: ApiKeyIdentity | null;
  }
  interface FastifyInstance {
    /** Drops a key from this process's cache (after revocation; other API processes forget it within the cache TTL). */
    forgetApiKey(id: string): void;
  }
}

const CACHE_TTL_MS = 60_000;
const CACHE_MAX = 10_000;
const DEV_IDENTITY: ApiKeyIdentity = { id: 'development', role: 'admin' };

export interface AuthOptions {
  readonly db: Db;
  readonly disabled: boolean;
}

function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (!header) throw new UnauthorizedError('missing Authorization: Bearer <key> header');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) throw new UnauthorizedError('the Authorization header must be "Bearer <key>"');
  return match[1];
}

async function authPlugin(app: FastifyInstance, options: AuthOptions): Promise<void> {
  const cache = new Map<string, { identity: ApiKeyIdentity; expires: number }>();

  async function identify(key: string): Promise<ApiKeyIdentity | null> {
    const hash = hashKey(key);
    const hit = cache.get(hash);
    if (hit && hit.expires > Date.now()) return hit.identity;
    const identity = await findApiKey(options.db, key); // PostgreSQL down: DependencyUnavailableError (src/shared/db/pool.ts)
    if (identity) {
      if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
      cache.set(hash, { identity, expires: Date.now() + CACHE_TTL_MS });
    }
    return identity;
  }

  app.decorate('forgetApiKey', (id: string) => {
    for (const [hash, entry] of cache) if (entry.identity.id === id) cache.delete(hash);
  });
  if (options.disabled) app.log.warn('AUTH_DISABLED is on: every request is treated as an admin (development only)');
  app.decorateRequest('apiKey', null);
  app.addHook('onRequest', async (request) => {
    const required = request.routeOptions.config?.auth ?? 'admin';
    if (required === 'public' || request.is404) return;
    if (options.disabled) {
      request.apiKey = DEV_IDENTITY;
      return;
    }
    const identity = await identify(bearerToken(request));
    if (!identity) throw new UnauthorizedError('unknown or revoked API key');
    if (required === 'admin' && identity.role !== 'admin') throw new ForbiddenError(identity.role, 'admin');
    request.apiKey = identity;
  });
}

export default fp(authPlugin, { name: 'auth' });
