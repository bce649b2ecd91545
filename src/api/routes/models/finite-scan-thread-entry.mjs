// worker_threads bootstrap for finite-scan-thread.ts (see src/import-ts.mjs).
import { importTs } from '../../../import-ts.mjs';

await importTs(new URL('./finite-scan-thread.ts', import.meta.url).href);
