#!/usr/bin/env node
// The `maml` command (package.json "bin"): loads the TypeScript entry through tsx, as the service does.
import { importTs } from '../src/import-ts.mjs';

await importTs(new URL('./main.ts', import.meta.url).href);
