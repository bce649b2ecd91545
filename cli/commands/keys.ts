/** `maml keys list|create|revoke` (admin): API keys. */
import { type Command, Option } from 'commander';
import { contextFor, positiveInt } from '../context.ts';
import { json, table } from '../format.ts';

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('API keys (admin)');
  keys
    .command('list', { isDefault: true })
    .description('keys, newest first (never their secrets)')
    .option('--all', 'include revoked keys')
    .option('--limit <n>', 'at most this many', positiveInt, 100)
    .option('--json', 'print JSON')
    .action(async (options: { all?: boolean; limit: number; json?: boolean }, command: Command) => {
      const { client, io } = contextFor(command);
      const list = await client.listKeys({ includeRevoked: Boolean(options.all), limit: options.limit });
      if (options.json) return io.out(json(list));
      const rows = list.map((k) => [
        k.id,
        `${k.prefix}…`,
        k.role,
        k.name ?? '',
        k.createdAt.slice(0, 19),
        k.revokedAt ? `revoked ${k.revokedAt.slice(0, 19)}` : 'active',
      ]);
      io.out(`${table(['id', 'key', 'role', 'name', 'created', 'state'], rows)}\n`);
    });
  keys
    .command('create')
    .description('create a key; prints the secret on stdout (shown this once), the rest on stderr')
    .addOption(new Option('--role <role>', 'what the key may do').choices(['client', 'admin']).makeOptionMandatory())
    .option('--name <name>', 'a note on whose key it is')
    .option('--json', 'print the whole record as JSON, the secret included')
    .action(async (options: { role: 'client' | 'admin'; name?: string; json?: boolean }, command: Command) => {
      const { client, io } = contextFor(command);
      const created = await client.createKey({ role: options.role, name: options.name });
      if (options.json) return io.out(json(created));
      io.err(`created ${created.role} key ${created.id}${created.name ? ` (${created.name})` : ''}; store it now, it is not shown again:\n`);
      io.out(`${created.key}\n`);
    });
  keys
    .command('revoke')
    .description('revoke a key')
    .argument('<id>', 'key id (from `maml keys list`)')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const { client, io } = contextFor(command);
      const revoked = await client.revokeKey(id);
      io.out(options.json ? json(revoked) : `revoked ${revoked.role} key ${revoked.id} (${revoked.prefix}…) at ${revoked.revokedAt}\n`);
    });
}
