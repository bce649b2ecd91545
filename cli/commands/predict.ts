/** `maml predict <session> <files or folders…>`: label and score per image. */
import path from 'node:path';
import type { Command } from 'commander';
import { openImage, type PredictResult } from '../../clients/typescript/index.ts';
import { contextFor, positiveInt } from '../context.ts';
import { collectImages } from '../folders.ts';
import { json, table } from '../format.ts';

interface PredictOptions {
  json?: boolean;
  batch: number;
}

type Prediction = PredictResult['predictions'][number];

export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description("classify images with a session's adapted model")
    .argument('<session>', 'session id printed by `maml adapt`')
    .argument('<paths...>', 'image files, or folders of images (searched with their sub-folders)')
    .option('--json', 'print [{ file, label, score, scores }] as JSON')
    .option('--batch <n>', 'images per request (the service takes at most MAX_FILES, 200 by default)', positiveInt, 100)
    .action(async (session: string, paths: string[], options: PredictOptions, command: Command) => {
      const { client, io } = contextFor(command);
      const files = await collectImages(paths);
      const predictions: Prediction[] = [];
      for (let i = 0; i < files.length; i += options.batch) {
        const batch = files.slice(i, i + options.batch);
        const result = await client.predict(session, await Promise.all(batch.map(openImage)));
        predictions.push(...result.predictions);
      }
      const rows = files.map((file, i) => {
        const { label, scores } = predictions[i]!;
        return { file, label, score: scores[label] ?? 0, scores };
      });
      if (options.json) return io.out(json(rows));
      const base = paths.length === 1 ? paths[0]! : '.';
      const shown = (file: string) => (file === base ? path.basename(file) : path.relative(base, file) || file);
      io.out(
        `${table(
          ['file', 'label', 'score'],
          rows.map((r) => [shown(r.file), r.label, r.score.toFixed(3)]),
          new Set([2]),
        )}\n`,
      );
    });
}
