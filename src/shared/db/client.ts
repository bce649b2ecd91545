/** The Prisma client over @prisma/adapter-pg (JS engine: no Rust query engine). */
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../generated/prisma/client.ts';

export type Db = PrismaClient;

export interface DbOptions {
  /** Fail a query fast when PostgreSQL cannot be reached instead of hanging (API side). */
  readonly connectionTimeoutMs?: number;
}

export function createDb(databaseUrl: string, options: DbOptions = {}): Db {
  const adapter = new PrismaPg({
    connectionString: databaseUrl,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    max: 10,
  });
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
