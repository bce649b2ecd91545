/** Entry point of `maml` (cli/maml.mjs loads it through tsx). */
import { main } from './program.ts';

process.exitCode = await main(process.argv.slice(2));
