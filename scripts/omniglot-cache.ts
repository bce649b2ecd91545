/**
 * Builds the preprocessed Omniglot cache and prints timings:
 *   tsx scripts/omniglot-cache.ts <omniglot dir> [cache dir] [--size 28]
 * Runs the load twice: the first builds the cache (unless it exists), the second reads it.
 */
import path from 'node:path';
import { loadOmniglot } from '../src/data/omniglot/load.ts';

const args = process.argv.slice(2);
const sizeAt = args.indexOf('--size');
const size = sizeAt >= 0 ? Number(args.splice(sizeAt, 2)[1]) : 28;
const [dir, cacheDir = path.resolve('.data/cache')] = args;
if (dir === undefined || !Number.isInteger(size) || size < 1) {
  console.error('usage: tsx scripts/omniglot-cache.ts <omniglot dir> [cache dir] [--size 28]');
  process.exit(2);
}

for (const run of ['first', 'second']) {
  const data = await loadOmniglot({
    dir,
    cacheDir,
    preprocessing: { size, channels: 1, invert: true },
    onProgress: (done, total) => process.stderr.write(`\r${run}: ${done}/${total} images`),
  });
  process.stderr.write('\n');
  const t = data.timingsMs;
  console.log(
    `${run} load: ${data.imageCount} images from ${data.source} (${data.cacheNote}) in ${(t.total / 1000).toFixed(2)} s ` +
      `[index ${t.index.toFixed(0)} ms, images ${t.images.toFixed(0)} ms]; classes train/validation/test ` +
      `${data.train.classes.length}/${data.validation.classes.length}/${data.test.classes.length}; cache ${data.cacheFile}`,
  );
}
