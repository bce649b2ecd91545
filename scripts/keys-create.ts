/**
 * `npm run --silent keys:create -- --role admin|client [--name NAME]`: creates an API key and
 * prints only the key (once: only its hash is stored).
 */
import { parseArgs } from 'node:util';
import { createApiKey, ROLES, type Role } from '../src/api/auth/api-keys.ts';
import { loadConfigOrExit } from '../src/shared/config.ts';
import { createDb } from '../src/shared/db/client.ts';

const { values } = parseArgs({ options: { role: { type: 'string' }, name: { type: 'string' } }, strict: true });
if (!ROLES.includes(values.role as Role)) {
  console.error(`usage: keys:create -- --role ${ROLES.join('|')} [--name NAME]`);
  process.exit(2);
}
const db = createDb(loadConfigOrExit().databaseUrl);
try {
  const { key } = await createApiKey(db, values.role as Role, values.name);
  process.stdout.write(`${key}\n`);
} catch (error) {
  console.error(`could not create the key: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await db.$disconnect();
}
