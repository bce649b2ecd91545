#!/usr/bin/env node
/**
 * Entry point of `maml`. The installed command (package.json "bin") is the compiled
 * dist/cli/main.js (`npm run build`); cli/maml.mjs runs this source through tsx (tests, development).
 */
import { main } from './program.ts';

process.exitCode = await main(process.argv.slice(2));
