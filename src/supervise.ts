/**
 * Runs node entry files as child processes and passes stop signals on to them exactly once each
 * (`npm start`, src/start.ts). Invariants:
 * - Every child runs in a process group of its own (`detached`), so a Ctrl-C in a terminal, which
 *   the terminal sends to the whole foreground group, reaches the children only through us: once.
 *   (In the parent's group each child got SIGINT twice, from the terminal and from us, and its
 *   second signal meant "exit now": no graceful stop.)
 * - The same signal arriving again within DUPLICATE_MS is one signal delivered twice (npm forwards
 *   the terminal's SIGINT to its script, which the terminal signalled too) and is not passed on; a
 *   later one is passed on, so a second Ctrl-C still forces the children to exit at once.
 * - When one child exits on its own, the others are stopped with SIGTERM; the parent exits with the
 *   worst exit code. If the parent itself exits, children still running get SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export const DUPLICATE_MS = 500;

export async function superviseChildren(entries: readonly string[], execArgv: readonly string[] = process.execArgv): Promise<number> {
  const children: ChildProcess[] = entries.map((entry) =>
    spawn(process.execPath, [...execArgv, entry], { stdio: 'inherit', env: process.env, detached: true }),
  );
  let stopping = false;
  const stopAll = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  const last = new Map<NodeJS.Signals, number>();
  const onSignal = (signal: NodeJS.Signals) => {
    const now = Date.now();
    const previous = last.get(signal);
    last.set(signal, now);
    if (previous !== undefined && now - previous < DUPLICATE_MS) return;
    stopAll(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('exit', () => stopAll('SIGTERM'));

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
  return worst;
}
