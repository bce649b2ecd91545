/**
 * API keys: `mk_<43 base64url chars>` (256 random bits). Only the sha256 of a key is stored; a
 * lookup hashes the presented key, finds the row by hash and compares in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../shared/db/client.ts';

export const ROLES = ['client', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiKeyIdentity {
  readonly id: string;
  readonly role: Role;
}

const KEY_PATTERN = /^mk_[A-Za-z0-9_-]{43}$/;

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function isWellFormedKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

/** What may be shown about a key: never its secret nor its hash. */
export interface ApiKeyView {
  readonly id: string;
  readonly name: string | null;
  readonly role: Role;
  readonly prefix: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

type ApiKeyRow = { id: string; name: string | null; role: Role; prefix: string; createdAt: Date; revokedAt: Date | null };

export function apiKeyView(row: ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    prefix: row.prefix,
    createdAt: row.createdAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

/** Creates a key; `key` is the secret, returned this once (only its sha256 is stored). */
export async function createApiKey(db: Db, role: Role, name?: string): Promise<{ key: string; id: string; view: ApiKeyView }> {
  const key = `mk_${randomBytes(32).toString('base64url')}`;
  const row = await db.apiKey.create({ data: { role, name: name ?? null, hash: hashKey(key), prefix: key.slice(0, 10) } });
  return { key, id: row.id, view: apiKeyView(row) };
}

/** Keys, newest first; revoked ones only when asked for. */
export async function listApiKeys(db: Db, options: { limit: number; includeRevoked: boolean }): Promise<ApiKeyView[]> {
  const rows = await db.apiKey.findMany({
    where: options.includeRevoked ? {} : { revokedAt: null },
    orderBy: { createdAt: 'desc' },
    take: options.limit,
  });
  return rows.map(apiKeyView);
}

/** Revokes the key (a key revoked before keeps its first revocation time); null when there is no such key. */
export async function revokeApiKey(db: Db, id: string): Promise<ApiKeyView | null> {
  const row = await db.apiKey.findUnique({ where: { id } });
  if (!row) return null;
  if (row.revokedAt) return apiKeyView(row);
  return apiKeyView(await db.apiKey.update({ where: { id }, data: { revokedAt: new Date() } }));
}

/** Finds the live key; null when unknown or revoked. Throws when the database is unreachable. */
export async function findApiKey(db: Db, key: string): Promise<ApiKeyIdentity | null> {
  if (!isWellFormedKey(key)) return null;
  const hash = hashKey(key);
  const row = await db.apiKey.findUnique({ where: { hash } });
  if (!row || row.revokedAt) return null;
  if (!timingSafeEqual(Buffer.from(row.hash, 'hex'), Buffer.from(hash, 'hex'))) return null;
  return { id: row.id, role: row.role };
}
