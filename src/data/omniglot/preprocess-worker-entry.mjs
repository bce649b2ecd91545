// worker_threads bootstrap for preprocess-worker.ts (see src/import-ts.mjs).
import { importTs } from '../../import-ts.mjs';

await importTs(new URL('./preprocess-worker.ts', import.meta.url).href);
