/**
 * The compiled build (`npm run build:server` → dist/) runs with plain node: no tsx, no loader shim.
 * Builds dist/ afresh, then runs the CLI, the migration, the API (its inference threads load the
 * compiled thread entry) and the worker (BullMQ's sandbox and the meta-gradient threads load theirs)
 * with `node dist/...` and nothing else, through one adaptation and one short training job.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createApiKey } from '../../src/api/auth/api-keys.ts';
import { createDb } from '../../src/shared/db/client.ts';
import { createTestDatabase, REDIS_URL } from '../helpers/env.ts';
import { freePort, ROOT, waitForStatus } from '../helpers/processes.ts';

const DIST = path.join(ROOT, 'dist');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/** `node <entry>` with no --import, no NODE_OPTIONS: what the image and npm start run. */
function node(args: string[], env: Record<string, string>) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS'));
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  return { child, output: () => output };
}

test('dist/ builds, holds no tsx and no loader shim, and the CLI starts from it', () => {
  const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build-server.mjs')], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr + build.stdout);
  const compiled = files(path.join(DIST, 'src')).concat(files(path.join(DIST, 'cli')), files(path.join(DIST, 'scripts')));
  for (const file of compiled) {
    const text = readFileSync(file, 'utf8');
    // An import of a .ts file, of tsx, or of the tsx shim (comments may name them).
    const code = text.replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, '');
    assert.doesNotMatch(
      code,
      /\bfrom\s+['"][^'"]+\.ts['"]|import\(\s*['"][^'"]+\.ts['"]|['"]tsx(\/[^'"]*)?['"]|import-ts\.mjs/,
      `${path.relative(ROOT, file)} refers to TypeScript at run time`,
    );
  }
  for (const entry of [
    'api/inference/thread-entry.mjs',
    'worker/training/processor-entry.mjs',
    'worker/parallel/meta-gradient-thread-entry.mjs',
    'data/omniglot/preprocess-worker-entry.mjs',
  ]) {
    assert.ok(existsSync(path.join(DIST, 'src', entry)), entry);
  }
  assert.ok(existsSync(path.join(DIST, 'src', 'generated', 'prisma', 'client.js')), 'the Prisma client is compiled');
  const version = spawnSync(process.execPath, [path.join(DIST, 'cli', 'main.js'), '--version'], { encoding: 'utf8' });
  assert.equal(version.stdout.trim(), JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
  const bin = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).bin.maml;
  assert.equal(path.resolve(ROOT, bin), path.join(DIST, 'cli', 'main.js'));
});

test('node dist/scripts/migrate.js, dist/src/api/server.js and dist/src/worker/worker.js: an adaptation and a training job', async (t) => {
  const database = await createTestDatabase();
  t.after(database.drop);
  const port = await freePort();
  const env = {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    REDIS_URL,
    QUEUE_PREFIX: `compiled-${port}`,
    WEIGHTS_DIR: `/tmp/maml-compiled-${port}/weights`,
    LOG_LEVEL: 'info',
    TRAINING_THREADS: '2',
  };
  const migrate = spawnSync(process.execPath, ['dist/scripts/migrate.js'], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  assert.equal(migrate.status, 0, migrate.stderr);
  const api = node(['dist/src/api/server.js'], env);
  const worker = node(['dist/src/worker/worker.js'], env);
  t.after(() => {
    api.child.kill('SIGKILL');
    worker.child.kill('SIGKILL');
  });
  await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, 60_000);
  const key = (await createApiKey(createDb(database.url), 'admin')).key;
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGP4DwABAQEAWh8mVQAAAABJRU5ErkJggg==';
  const adapt = await fetch(`http://127.0.0.1:${port}/adapt`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ support: ['a', 'b'].map((label) => ({ label, image: png })) }),
  });
  assert.equal(adapt.status, 201, await adapt.clone().text());

  const created = await fetch(`http://127.0.0.1:${port}/training-jobs`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ dataset: 'sinusoid', iterations: 5, evalEvery: 5, evalTasks: 10, testTasks: 10 }),
  });
  assert.equal(created.status, 202);
  const { jobId } = (await created.json()) as { jobId: string };
  const deadline = Date.now() + 120_000;
  let job: { status: string; error: string | null } = { status: 'queued', error: null };
  while (Date.now() < deadline && !['completed', 'failed'].includes(job.status)) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    job = (await (await fetch(`http://127.0.0.1:${port}/training-jobs/${jobId}`, { headers })).json()) as typeof job;
  }
  assert.equal(job.status, 'completed', `${job.error}\n${worker.output().slice(-3000)}`);
  assert.match(worker.output(), /dataset sinusoid ready in/);
  api.child.kill('SIGTERM');
  worker.child.kill('SIGTERM');
  const codes = await Promise.all([api.child, worker.child].map((c) => new Promise((resolve) => c.once('exit', resolve))));
  assert.deepEqual(codes, [0, 0], api.output().slice(-2000) + worker.output().slice(-2000));
});
