/** `maml adapt <folder>`: one sub-folder per class (its name is the label) → a session. */
import path from 'node:path';
import type { Command } from 'commander';
import { openImage } from '../../clients/typescript/index.ts';
import { contextFor, positiveInt } from '../context.ts';
import { readSupportFolder } from '../folders.ts';
import { json, keyValues, number, percent } from '../format.ts';

interface AdaptOptions {
  model?: string;
  steps?: number;
  ttl?: number;
  headOnly?: boolean;
  json?: boolean;
}

export function registerAdapt(program: Command): void {
  program
    .command('adapt')
    .description('adapt a model to a support set: a folder with one sub-folder of images per class (the sub-folder name is the label)')
    .argument('<folder>', 'support folder, e.g. support/ka/1.png support/kha/1.png …')
    .option('--model <id-or-name>', 'model to adapt (default: the default model)')
    .option('--steps <n>', "inner gradient steps (default: the model's test-time steps)", positiveInt)
    .option('--ttl <seconds>', 'session lifetime in seconds', positiveInt)
    .option('--head-only', 'adapt only the last layer (ANIL-style)')
    .option('--json', 'print the API response as JSON')
    .action(async (folder: string, options: AdaptOptions, command: Command) => {
      const { client, io } = contextFor(command);
      const support = await readSupportFolder(folder);
      const files = await Promise.all(support.map(async (s) => ({ label: s.label, file: await openImage(s.path) })));
      const result = await client.adapt({ support: files, model: options.model, steps: options.steps, ttlSeconds: options.ttl, headOnly: options.headOnly });
      if (options.json) return io.out(json(result));
      const shots = support.length / result.labels.length;
      io.out(
        `${keyValues([
          ['session', result.sessionId],
          ['model', result.modelId],
          ['classes', `${result.labels.length}: ${result.labels.join(', ')}`],
          ['images', `${support.length} from ${path.resolve(folder)}${Number.isInteger(shots) ? ` (${shots} per class)` : ''}`],
          ['support', `accuracy ${percent(result.support.accuracy)}, loss ${number(result.support.loss)} after ${result.steps ?? '?'} steps`],
          ['expires', result.expiresAt],
        ])}\n`,
      );
    });
}
