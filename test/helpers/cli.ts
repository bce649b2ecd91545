/** Runs the `maml` command (cli/maml.mjs, as npm's bin link runs it) as a child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { ROOT } from './processes.ts';

export const CLI = path.join(ROOT, 'cli', 'maml.mjs');

export interface CliRun {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when stderr (or stdout) matches, rejects after timeoutMs or if the process ends first. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  exited(): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** `env` is the whole MAML_* environment of the run: the test's own MAML_URL/MAML_API_KEY never leak in. */
export function spawnCli(args: readonly string[], env: Record<string, string> = {}): CliRun {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MAML_')));
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (chunk) => {
    stdout += chunk;
    for (const l of listeners) l();
  });
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
    for (const l of listeners) l();
  });
  const exit = once(child, 'close').then(([code]) => ({ code: code as number | null, stdout, stderr }));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited: () => exit,
    waitFor(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(stderr) ?? pattern.exec(stdout);
          if (!match) return;
          done();
          resolve(match);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${pattern} within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        void exit.then(() => {
          check();
          if (listeners.has(check)) {
            done();
            reject(new Error(`maml exited before ${pattern}\nstdout: ${stdout}\nstderr: ${stderr}`));
          }
        });
        listeners.add(check);
        check();
      });
    },
  };
}

export function runCli(args: readonly string[], env: Record<string, string> = {}) {
  return spawnCli(args, env).exited();
}
