/** `maml train` and `maml jobs` against the real service and a real worker process: progress, final metrics, curve, Ctrl-C. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { createApiKey } from '../../src/api/auth/api-keys.ts';
import { buildTestApp, createTestDatabase, REDIS_URL, type TestApp } from '../helpers/env.ts';
import { spawnEntry, type Spawned } from '../helpers/processes.ts';
import { runCli, spawnCli } from '../helpers/cli.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let t: TestApp;
let worker: Spawned;
let env: Record<string, string>;

const SINE = [
  '--dataset',
  'sinusoid',
  '--meta-batch-size',
  '4',
  '--eval-every',
  '10',
  '--eval-tasks',
  '10',
  '--test-tasks',
  '10',
  '--checkpoint-every',
  '10',
  '--seed',
  '3',
];

before(async () => {
  database = await createTestDatabase();
  t = await buildTestApp(database.url);
  const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  env = { MAML_URL: url, MAML_API_KEY: (await createApiKey(t.db, 'admin')).key };
  worker = spawnEntry('src/worker/worker.ts', {
    DATABASE_URL: database.url,
    REDIS_URL,
    QUEUE_PREFIX: t.deps.config.queuePrefix,
    WEIGHTS_DIR: t.deps.config.weightsDir,
    CACHE_DIR: path.join(os.tmpdir(), 'maml-test-cache'),
    TFJS_BACKEND: 'wasm',
    TRAINING_THREADS: '1',
    LOG_LEVEL: 'info',
    SHUTDOWN_TIMEOUT_MS: '20000',
  });
});

after(async () => {
  worker.child.kill('SIGKILL');
  await t.deps.trainingQueue.obliterate({ force: true }).catch(() => undefined);
  await t.close();
  await database.drop();
});

async function jobStatus(id: string): Promise<string> {
  return (await t.db.trainingJob.findUniqueOrThrow({ where: { id } })).status;
}

async function waitForStatus(id: string, status: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await jobStatus(id)) !== status) {
    if (Date.now() > deadline) throw new Error(`job ${id} is ${await jobStatus(id)}, not ${status}, after ${timeoutMs} ms\n${worker.output().slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test('train follows a job to completion: progress lines, validation, final metrics and the validation curve', async () => {
  const run = await runCli(['train', ...SINE, '--iterations', '20', '--name', 'sine-cli'], env);
  assert.equal(run.code, 0, `${run.stderr}\n${worker.output().slice(-2000)}`);
  const jobId = /^submitted job ([0-9a-f-]{36}): maml on sinusoid, 20 iterations$/m.exec(run.stderr)?.[1];
  assert.ok(jobId, run.stderr);
  assert.match(run.stderr, new RegExp(`following job ${jobId} \\((queued|running)\\)`));
  // Not a terminal: one progress line per tenth of the run, the last at 20/20.
  const progress = run.stderr.split('\n').filter((l) => / it \d+\/20 /.test(l));
  assert.ok(progress.length >= 1, run.stderr);
  assert.match(progress.at(-1)!, /^100% │█{24}│ it 20\/20 · loss [\d.e-]+ · val loss [\d.e-]+ · [\d.]+ tasks\/s · ETA 0s$/);
  assert.match(run.stderr, /^validation at iteration 10: loss [\d.e-]+$/m);
  assert.match(run.stdout, new RegExp(`^job\\s+${jobId} completed: 20 iterations in \\d+s$`, 'm'));
  assert.match(run.stdout, /^model\s+[0-9a-f-]{36} \(sine-cli v1\)$/m);
  assert.match(run.stdout, /^test\s+loss [\d.e-]+ over 10 tasks$/m);
  assert.match(run.stdout, /^validation loss\n/m);
  assert.match(run.stdout, /┤[▁▂▃▄▅▆▇█ ]+\n/);
  assert.match(run.stdout, /└─+\n\s+10\s+20 {2}iteration/);
  assert.equal(await jobStatus(jobId), 'completed');

  const list = await runCli(['jobs'], env);
  assert.match(list.stdout, new RegExp(`^${jobId}\\s+sine-cli\\s+completed\\s+20/20\\s+sinusoid`, 'm'));
  const show = await runCli(['jobs', 'show', jobId], env);
  assert.match(show.stdout, /^status\s+completed$/m);
  const watch = await runCli(['jobs', 'watch', '--json', jobId], env);
  assert.equal(watch.code, 0, watch.stderr);
  assert.equal(JSON.parse(watch.stdout).model.name, 'sine-cli');
});

test('Ctrl-C with --on-interrupt cancel cancels the running job and exits 130', async () => {
  const run = spawnCli(['train', ...SINE, '--iterations', '100000', '--on-interrupt', 'cancel'], env);
  const jobId = (await run.waitFor(/submitted job ([0-9a-f-]{36})/, 30_000))[1]!;
  await run.waitFor(/ it \d+\/100000 /, 60_000);
  run.child.kill('SIGINT');
  const { code, stderr } = await run.exited();
  assert.equal(code, 130, stderr);
  assert.match(stderr, new RegExp(`cancelling job ${jobId}`));
  assert.match(stderr, new RegExp(`job ${jobId} was cancelled at iteration \\d+/100000; its last checkpoint is kept`));
  assert.equal(await jobStatus(jobId), 'cancelled');
});

test('Ctrl-C without a terminal stops watching and leaves the job running; jobs cancel stops it', async () => {
  const run = spawnCli(['train', ...SINE, '--iterations', '100000'], env);
  const jobId = (await run.waitFor(/submitted job ([0-9a-f-]{36})/, 30_000))[1]!;
  await run.waitFor(/ it \d+\/100000 /, 60_000);
  run.child.kill('SIGINT');
  const { code, stderr } = await run.exited();
  assert.equal(code, 130, stderr);
  assert.match(stderr, new RegExp(`stopped watching; job ${jobId} goes on \\(running\\)\\. Follow it again with: maml jobs watch ${jobId}`));
  assert.equal(await jobStatus(jobId), 'running');
  const cancel = await runCli(['jobs', 'cancel', jobId], env);
  assert.equal(cancel.code, 0, cancel.stderr);
  assert.match(cancel.stdout, /cancellation of job .* requested/);
  await waitForStatus(jobId, 'cancelled', 30_000);
  const watch = await runCli(['jobs', 'watch', jobId], env);
  assert.equal(watch.code, 4, 'a cancelled job that this command did not cancel');
  assert.match(watch.stderr, /was cancelled at iteration/);
});
