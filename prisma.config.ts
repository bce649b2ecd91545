/**
 * Prisma 6.19 in its offline-capable form: `engine: "js"` with a driver adapter, so the CLI uses
 * the wasm engines bundled in the `prisma` package and the generated `prisma-client` runs queries
 * through @prisma/adapter-pg. Nothing is downloaded (README, "Prisma offline").
 *
 * `prisma migrate diff --from-empty|--from-schema-datamodel ... --script` (no database needed)
 * writes new migrations; `npm run migrate` (src/shared/db/migrate.ts) applies them. The wasm schema
 * engine cannot apply them through @prisma/adapter-pg 6.19: it reads catalog columns of type
 * `name`, which the adapter refuses ("Column type 'name' could not be deserialized",
 * prisma/orm#27403). Our runner keeps Prisma's `_prisma_migrations` table, so `prisma migrate
 * deploy` with native engines (a machine with internet) sees the same history.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';

// engine "js" uses no native engine, but the 6.19 CLI still tries to download one unless these
// point at an existing file; any file will do (on a machine with internet they are harmless).
process.env.PRISMA_QUERY_ENGINE_LIBRARY ??= fileURLToPath(import.meta.url);
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(import.meta.url);

const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/maml';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  adapter: async () => new PrismaPg({ connectionString: databaseUrl }),
});
