/**
 * `npm start`: the API and the worker together for local use, as two child processes (the same
 * commands compose runs). A signal is passed on to both; if either exits, the other is stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const children: ChildProcess[] = [here('./server.ts'), here('./worker.ts')].map((entry) =>
  spawn(process.execPath, [...process.execArgv, entry], { stdio: 'inherit', env: process.env }),
);

let stopping = false;
function stopAll(signal: NodeJS.Signals): void {
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill(signal);
}
process.on('SIGTERM', () => stopAll('SIGTERM'));
process.on('SIGINT', () => stopAll('SIGINT'));

let worst = 0;
await Promise.all(
  children.map(
    (child) =>
      new Promise<void>((resolve) =>
        child.on('exit', (code, signal) => {
          worst = Math.max(worst, code ?? (signal ? 1 : 0));
          if (!stopping) stopAll('SIGTERM');
          resolve();
        }),
      ),
  ),
);
process.exit(worst);
