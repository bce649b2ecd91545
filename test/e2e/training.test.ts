import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { createApiKey } from '../../src/api/auth/api-keys.ts';
import { buildTestApp, createTestDatabase, REDIS_URL, type TestApp } from '../helpers/env.ts';
import { spawnEntry, type Spawned } from '../helpers/processes.ts';
import { openEventStream, type SseMessage } from '../helpers/sse.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let t: TestApp;
let admin: Record<string, string>;
const workers: Spawned[] = [];

function startWorker(): Spawned {
  const worker = spawnEntry('src/worker/worker.ts', {
    DATABASE_URL: database.url,
    REDIS_URL,
    QUEUE_PREFIX: t.deps.config.queuePrefix,
    WEIGHTS_DIR: t.deps.config.weightsDir,
    CACHE_DIR: path.join(os.tmpdir(), 'maml-test-cache'),
    OMNIGLOT_DIR: process.env.OMNIGLOT_DIR ?? path.resolve(import.meta.dirname, '../../../shared/data/omniglot'),
    TFJS_BACKEND: 'wasm',
    TRAINING_THREADS: '2',
    LOG_LEVEL: 'info',
    WORKER_LOCK_MS: '3000',
    WORKER_STALLED_INTERVAL_MS: '1000',
    SHUTDOWN_TIMEOUT_MS: '20000',
  });
  workers.push(worker);
  return worker;
}

before(async () => {
  database = await createTestDatabase();
  t = await buildTestApp(database.url);
  admin = { authorization: `Bearer ${(await createApiKey(t.db, 'admin')).key}` };
});

after(async () => {
  for (const w of workers) w.child.kill('SIGKILL');
  await t.deps.trainingQueue.obliterate({ force: true }).catch(() => undefined);
  await t.close();
  await database.drop();
});

async function submit(config: Record<string, unknown>): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/training-jobs', headers: admin, payload: config });
  assert.equal(res.statusCode, 202, res.body);
  return res.json().jobId;
}

async function waitFor(jobId: string, done: (job: Record<string, any>) => boolean, timeoutMs: number, worker?: Spawned): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  let job: Record<string, any> = {};
  while (Date.now() < deadline) {
    job = (await t.app.inject({ method: 'GET', url: `/training-jobs/${jobId}`, headers: admin })).json();
    const row = await t.db.trainingJob.findUnique({ where: { id: jobId } });
    job.checkpointIteration = row?.checkpointIteration;
    if (done(job)) return job;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`job ${jobId} did not get there in ${timeoutMs} ms: ${JSON.stringify(job)}\n${worker?.output().slice(-3000) ?? ''}`);
}

const SINE = { dataset: 'sinusoid', metaBatchSize: 4, evalEvery: 10, evalTasks: 10, testTasks: 10, checkpointEvery: 10, seed: 3 };

test('a sinusoid job runs in the worker process to completion, live over SSE, and registers an evaluated model', async () => {
  const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const jobId = await submit({ ...SINE, iterations: 30, name: 'sine-e2e' });
  const stream = await openEventStream(`${base}/training-jobs/${jobId}/events`, admin);
  const events: SseMessage[] = [];
  const collected = (async () => {
    for (let m = await stream.nextEvent(); m !== null; m = await stream.nextEvent()) events.push(m);
  })();
  const worker = startWorker();
  const job = await waitFor(jobId, (j) => j.status === 'completed' || j.status === 'failed', 120_000, worker);
  assert.equal(job.status, 'completed', job.error);
  await collected; // the server ends the stream after the terminal status
  const kinds = events.map((e) => e.event);
  assert.equal(kinds[0], 'job');
  assert.ok(kinds.includes('validation'), kinds.join());
  const notes = events.filter((e) => e.event === 'note').map((e) => (e.data as { message: string }).message);
  assert.ok(
    notes.some((n) => /^loading dataset sinusoid/.test(n)) && notes.some((n) => /^training done: validating/.test(n)),
    `the worker says what it does where it used to be silent: ${notes.join(' | ')}`,
  );
  const statuses = events.filter((e) => e.event === 'status').map((e) => (e.data as { status: string }).status);
  assert.deepEqual(statuses.slice(-1), ['completed']);
  assert.ok(statuses.includes('running'), statuses.join());
  const iterations = events.filter((e) => e.event === 'progress').map((e) => (e.data as { iteration: number }).iteration);
  assert.ok(iterations.length > 0 && iterations.at(-1) === 30, `progress iterations ${iterations.join()}`);
  assert.deepEqual(
    iterations,
    [...iterations].sort((a, b) => a - b),
    'progress is in order',
  );
  assert.equal((events.at(-1)!.data as { modelId: string }).modelId, job.modelId);
  assert.equal(job.progress.iteration, 30);
  const model = await t.db.model.findUniqueOrThrow({ where: { id: job.modelId } });
  assert.equal(model.name, 'sine-e2e');
  const metrics = model.metrics as { test: { loss: number; tasks: number } };
  assert.equal(metrics.test.tasks, 10);
  assert.ok(metrics.test.loss > 0);
  assert.equal(await t.db.trainingMetric.count({ where: { jobId } }), 30);
  assert.equal(await t.db.trainingMetric.count({ where: { jobId, validationLoss: { not: null } } }), 2);
});

test('cancel a running job: it stops within an iteration and keeps its checkpoint', async () => {
  const jobId = await submit({ ...SINE, iterations: 100_000 });
  await waitFor(jobId, (j) => j.checkpointIteration >= 10, 60_000, workers[0]);
  const res = await t.app.inject({ method: 'DELETE', url: `/training-jobs/${jobId}`, headers: admin });
  assert.equal(res.statusCode, 202);
  const job = await waitFor(jobId, (j) => j.status === 'cancelled', 30_000, workers[0]);
  assert.ok(job.checkpointIteration >= 10);
  assert.ok(job.progress.iteration < 100_000);
});

test('SIGKILL mid-job: another worker resumes from the checkpoint; SIGTERM hands the job back cleanly', async () => {
  const jobId = await submit({ ...SINE, iterations: 400, checkpointEvery: 20 });
  await waitFor(jobId, (j) => j.checkpointIteration >= 20, 60_000, workers[0]);
  workers[0]!.child.kill('SIGKILL');
  const killedAt = (await t.db.trainingJob.findUniqueOrThrow({ where: { id: jobId } })).checkpointIteration!;

  const second = startWorker();
  await waitFor(jobId, (j) => j.status === 'running' && j.checkpointIteration > killedAt, 60_000, second);
  assert.match(second.output(), /resuming at iteration \d+/);

  second.child.kill('SIGTERM');
  const { code } = await second.exited();
  assert.equal(code, 0, second.output().slice(-2000));
  const handedBack = await t.db.trainingJob.findUniqueOrThrow({ where: { id: jobId } });
  assert.equal(handedBack.status, 'queued');
  assert.ok(handedBack.checkpointIteration! > killedAt);

  const third = startWorker();
  const job = await waitFor(jobId, (j) => j.status === 'completed' || j.status === 'failed', 120_000, third);
  assert.equal(job.status, 'completed', job.error);
  assert.equal(await t.db.trainingMetric.count({ where: { jobId } }), 400, 'every iteration recorded exactly once');
});

test('a tiny Omniglot job trains in the worker; its model, promoted, adapts and predicts real PNGs', async () => {
  const worker = workers.find((w) => w.child.exitCode === null && w.child.signalCode === null) ?? startWorker();
  const jobId = await submit({
    dataset: 'omniglot',
    nWay: 5,
    kShot: 1,
    queryPerClass: 2,
    metaBatchSize: 2,
    iterations: 6,
    evalEvery: 3,
    evalTasks: 10,
    testTasks: 10,
    checkpointEvery: 3,
    seed: 5,
    name: 'omniglot-tiny',
    architecture: { filters: 8 },
  });
  const job = await waitFor(jobId, (j) => j.status === 'completed' || j.status === 'failed', 180_000, worker);
  assert.equal(job.status, 'completed', job.error);
  assert.match(worker.output(), /meta-steps on 2 thread\(s\)/, 'the sandboxed processor steps on the multi-core pool');
  const metrics = (await t.db.model.findUniqueOrThrow({ where: { id: job.modelId } })).metrics as { test: { accuracy: number; ci95: number } };
  assert.ok(metrics.test.accuracy > 0.2 && metrics.test.ci95 > 0, JSON.stringify(metrics));
  const promoted = await t.app.inject({ method: 'POST', url: `/models/${job.modelId}/promote`, headers: admin });
  assert.equal(promoted.statusCode, 200);

  const { readdir, readFile } = await import('node:fs/promises');
  const alphabet = path.join(process.env.OMNIGLOT_DIR ?? path.resolve(import.meta.dirname, '../../../shared/data/omniglot'), 'images_evaluation', 'Manipuri');
  const characters = (await readdir(alphabet)).sort().slice(0, 5);
  const support = await Promise.all(
    characters.map(async (c) => ({
      label: c,
      image: (await readFile(path.join(alphabet, c, (await readdir(path.join(alphabet, c))).sort()[0]!))).toString('base64'),
    })),
  );
  const adapted = await t.app.inject({ method: 'POST', url: '/adapt', headers: admin, payload: { support } });
  assert.equal(adapted.statusCode, 201, adapted.body);
  assert.equal(adapted.json().modelId, job.modelId);
  assert.equal(adapted.json().steps, 3, "the model's test-time inner steps");
  const predicted = await t.app.inject({
    method: 'POST',
    url: '/predict',
    headers: admin,
    payload: { sessionId: adapted.json().sessionId, images: support.map((s) => s.image) },
  });
  assert.equal(predicted.statusCode, 200, predicted.body);
  assert.equal(predicted.json().predictions.length, 5);
});

test('a staged job (pre-training, prototype and Proto-MAML stages) runs in the worker; its model serves any number of classes', async () => {
  const worker = workers.find((w) => w.child.exitCode === null && w.child.signalCode === null) ?? startWorker();
  const jobId = await submit({
    dataset: 'omniglot',
    name: 'omniglot-staged-tiny',
    seed: 6,
    nWay: 5,
    kShot: 1,
    queryPerClass: 2,
    evalTasks: 10,
    testTasks: 10,
    architecture: { filters: 8, maxWays: 30 },
    stages: [
      { kind: 'pretrain', epochs: 0.01, batchSize: 32, evalEvery: 10 },
      { kind: 'meta', innerSteps: 0, nWay: 10, metaBatchSize: 2, iterations: 3, evalEvery: 3 },
      { kind: 'meta', innerSteps: 1, innerLr: 0.01, metaBatchSize: 2, iterations: 2, evalEvery: 2 },
    ],
    selection: { steps: [1], innerLr: [0.01], adapt: ['all'] },
  });
  const job = await waitFor(jobId, (j) => j.status === 'completed' || j.status === 'failed', 300_000, worker);
  assert.equal(job.status, 'completed', job.error);
  assert.deepEqual([job.progress.stage.index, job.progress.stage.count, job.progress.stage.kind], [2, 3, 'meta'], 'progress names the stage');
  const model = (await t.app.inject({ method: 'GET', url: `/models/${job.modelId}`, headers: admin })).json();
  assert.deepEqual(model.ways, { min: 2, max: 30 });
  assert.equal(model.algorithm, 'proto-maml');
  assert.equal(model.architecture.normalization, 'frozen');
  assert.ok(typeof model.metrics.testPerImage.accuracy === 'number');

  const { readdir, readFile } = await import('node:fs/promises');
  const alphabet = path.join(process.env.OMNIGLOT_DIR ?? path.resolve(import.meta.dirname, '../../../shared/data/omniglot'), 'images_evaluation', 'Kannada');
  const characters = (await readdir(alphabet)).sort().slice(0, 7);
  const support = await Promise.all(
    characters.map(async (c) => ({
      label: c,
      image: (await readFile(path.join(alphabet, c, (await readdir(path.join(alphabet, c))).sort()[0]!))).toString('base64'),
    })),
  );
  const adapted = await t.app.inject({ method: 'POST', url: '/adapt', headers: admin, payload: { model: job.modelId, support } });
  assert.equal(adapted.statusCode, 201, adapted.body);
  assert.equal(adapted.json().labels.length, 7);
  assert.equal(adapted.json().steps, 1, 'the step count the job chose on validation');
  const predicted = await t.app.inject({
    method: 'POST',
    url: '/predict',
    headers: admin,
    payload: { sessionId: adapted.json().sessionId, images: support.map((s) => s.image) },
  });
  assert.equal(predicted.statusCode, 200, predicted.body);
  assert.equal(
    predicted.json().predictions.filter((p: { label: string }, i: number) => p.label === characters[i]).length,
    7,
    'the support drawings are recognised',
  );
});
