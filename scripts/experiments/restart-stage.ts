/**
 * Starts the running stage of a kept pipeline checkpoint over (its state dropped, its step and best
 * reset, the job's iteration back to where the stage began), for when the stage's recipe changes
 * after its learning curve was checked. Writes the kept files in place; remove the work folder's
 * resume.json so that `npm run train --keep` resumes from them.
 *   npx tsx scripts/experiments/restart-stage.ts models/training/omniglot
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/core/checkpoint/index.ts';

const prefix = process.argv[2]!;
const file = `${prefix}.checkpoint.safetensors`;
const { tensors, metadata } = decodeCheckpoint(new Uint8Array(await readFile(file)));
const cursor = (metadata.extras as { cursor: { stage: number; step: number; iteration: number; history: { steps: number }[] } }).cursor;
const iteration = cursor.history.reduce((sum, s) => sum + s.steps, 0);
console.log(`stage ${cursor.stage + 1}: step ${cursor.step} → 0, iteration ${cursor.iteration} → ${iteration}`);
const kept = new Map([...tensors].filter(([name]) => !name.startsWith('state.')));
const bytes = encodeCheckpoint(kept, {
  ...metadata,
  extras: { ...metadata.extras, cursor: { ...cursor, step: 0, iteration, best: null, stale: 0, stageSeconds: 0 } },
});
await writeFile(file, bytes);
const pointer = JSON.parse(await readFile(`${prefix}.checkpoint.json`, 'utf8')) as { trainingSeconds: number };
await writeFile(
  `${prefix}.checkpoint.json`,
  `${JSON.stringify({ sha256: createHash('sha256').update(bytes).digest('hex'), iteration, trainingSeconds: pointer.trainingSeconds }, null, 2)}\n`,
);
