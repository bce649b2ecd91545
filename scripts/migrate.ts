/** `npm run migrate`: applies prisma/migrations to DATABASE_URL (creating the database if needed). */
import { fileURLToPath } from 'node:url';
import { loadConfigOrExit } from '../src/shared/config.ts';
import { migrate } from '../src/shared/db/migrate.ts';
import { packageFile } from '../src/package-root.ts';

const config = loadConfigOrExit();
const dir = fileURLToPath(packageFile('prisma/migrations'));
try {
  const { applied, alreadyApplied } = await migrate(config.databaseUrl, dir);
  console.log(JSON.stringify({ msg: 'migrations applied', applied, alreadyApplied: alreadyApplied.length }));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
