/**
 * superviseChildren (npm start): a Ctrl-C, which a terminal sends to the whole foreground process
 * group, plus npm's forwarded copy of it, reach each child once; a later second Ctrl-C is passed on.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DUPLICATE_MS } from './supervise.ts';

const SUPERVISE = fileURLToPath(new URL('./supervise.ts', import.meta.url));

/** A child named `name` that reports each SIGINT; it exits `graceMs` after the first, or at once on a second. */
const childSource = (name: string, graceMs: number) => `
let count = 0;
process.on('SIGINT', () => {
  count += 1;
  console.log('${name} got SIGINT ' + count);
  if (count === 2) process.exit(3);
  setTimeout(() => process.exit(0), ${graceMs});
});
console.log('${name} ready');
setInterval(() => {}, 1000);
`;

/** The supervisor of two such children, in a process group of its own (as a shell runs a foreground job). */
async function startSupervisor(graceMs: number) {
  const dir = mkdtempSync(path.join(tmpdir(), 'supervise-'));
  const children = ['api', 'worker'].map((name) => {
    const file = path.join(dir, `${name}.mjs`);
    writeFileSync(file, childSource(name, graceMs));
    return file;
  });
  const parent = path.join(dir, 'parent.mts');
  writeFileSync(
    parent,
    `import { superviseChildren } from ${JSON.stringify(SUPERVISE)};\nprocess.exit(await superviseChildren(${JSON.stringify(children)}, []));\n`,
  );
  const proc = spawn(process.execPath, ['--import', 'tsx', parent], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  proc.stdout!.on('data', (chunk) => (output += chunk));
  const exited = once(proc, 'exit');
  const deadline = Date.now() + 20_000;
  while (!(output.includes('api ready') && output.includes('worker ready'))) {
    assert.ok(Date.now() < deadline, `children did not start: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { pid: proc.pid!, output: () => output, exited };
}

test('a Ctrl-C (to the whole group) and npm forwarding it reach each child once: a graceful stop', async () => {
  const run = await startSupervisor(300);
  process.kill(-run.pid, 'SIGINT'); // the terminal: every process of the foreground group
  process.kill(run.pid, 'SIGINT'); // npm passing the same Ctrl-C on to its script
  const [code] = await run.exited;
  assert.equal(code, 0, run.output());
  assert.equal(run.output().match(/got SIGINT/g)?.length, 2, run.output());
  assert.doesNotMatch(run.output(), /got SIGINT 2/);
});

test('a second Ctrl-C later than the duplicate window is passed on (exit now)', async () => {
  const run = await startSupervisor(60_000);
  process.kill(-run.pid, 'SIGINT');
  await new Promise((resolve) => setTimeout(resolve, DUPLICATE_MS + 300));
  process.kill(-run.pid, 'SIGINT');
  const [code] = await run.exited;
  assert.equal(code, 3, run.output());
  assert.match(run.output(), /api got SIGINT 2/);
  assert.match(run.output(), /worker got SIGINT 2/);
});
