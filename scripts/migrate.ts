/** `npm run migrate`: applies prisma/migrations to DATABASE_URL (creating the database if needed). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigOrExit } from '../src/config.ts';
import { migrate } from '../src/db/migrate.ts';

const config = loadConfigOrExit();
const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'prisma', 'migrations');
try {
  const { applied, alreadyApplied } = await migrate(config.databaseUrl, dir);
  console.log(JSON.stringify({ msg: 'migrations applied', applied, alreadyApplied: alreadyApplied.length }));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
