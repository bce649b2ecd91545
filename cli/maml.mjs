#!/usr/bin/env node
// `maml` from the TypeScript sources (tests and development: no build needed; transpiles at every
// start). The installed command is the compiled dist/cli/main.js (package.json "bin").
import { importTs } from '../src/import-ts.mjs';

await importTs(new URL('./main.ts', import.meta.url).href);
