/**
 * The Prisma client over @prisma/adapter-pg (JS engine: no Rust query engine), on a pool that
 * converts connection failures into `DependencyUnavailableError('postgres')` (./pool.ts).
 */
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../generated/prisma/client.ts';
import { createPgPool } from './pool.ts';

export type Db = PrismaClient;

export interface DbOptions {
  /** Fail a query fast when PostgreSQL cannot be reached instead of hanging (API side). */
  readonly connectionTimeoutMs?: number;
}

export function createDb(databaseUrl: string, options: DbOptions = {}): Db {
  const pool = createPgPool({ connectionString: databaseUrl, connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000, max: 10 });
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  return new PrismaClient({ adapter });
}

/** True when PostgreSQL answers a trivial query within the pool's connection timeout. */
export async function pingDb(db: Db): Promise<boolean> {
  try {
    await db.$queryRaw`SELECT 1`;
    return true;
  } catch {
    return false;
  }
}
