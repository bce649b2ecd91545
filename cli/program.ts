/**
 * The `maml` program: global options (--url/--key or MAML_URL/MAML_API_KEY, --retries) and the
 * sub-commands, one file each under commands/. Exit codes: exit-codes.ts (and the README).
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { packageFile } from '../src/package-root.ts';
import { registerAdapt } from './commands/adapt.ts';
import { registerJobs } from './commands/jobs.ts';
import { registerKeys } from './commands/keys.ts';
import { registerModels } from './commands/models.ts';
import { registerPredict } from './commands/predict.ts';
import { registerTrain } from './commands/train.ts';
import { positiveInt } from './context.ts';
import { describeError } from './describe-error.ts';

const { version } = JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string };

export function buildProgram(): Command {
  const program = new Command('maml')
    .description('Command-line client of the MAML few-shot service')
    .version(version)
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .addOption(new Option('--url <url>', 'service URL').env('MAML_URL').default('http://localhost:3000'))
    .addOption(new Option('--key <key>', 'API key').env('MAML_API_KEY'))
    .option('--retries <n>', 'tries per request on 429/503 (Retry-After honoured) and on no answer for reads', positiveInt, 4);
  registerAdapt(program);
  registerPredict(program);
  registerModels(program);
  registerJobs(program);
  registerTrain(program);
  registerKeys(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    const { message, exitCode } = describeError(error);
    if (message) process.stderr.write(`maml: ${message}\n`);
    return exitCode;
  }
}
