/**
 * `npm start`: the API and the worker together for local use, as two child processes (the same
 * entry files compose runs), supervised by src/supervise.ts: a signal reaches each child once; if
 * either exits, the other is stopped. Runs from the sources (tsx) and from the build (dist/).
 */
import { fileURLToPath } from 'node:url';
import { COMPILED } from './package-root.ts';
import { superviseChildren } from './supervise.ts';

const ext = COMPILED ? '.js' : '.ts';
const here = (file: string) => fileURLToPath(new URL(file + ext, import.meta.url));
process.exit(await superviseChildren([here('./api/server'), here('./worker/worker')]));
