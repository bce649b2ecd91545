/**
 * Scale-out drill: two API processes and two worker processes against one PostgreSQL and one
 * Redis, each with its own empty weights folder (as if on four machines). Weights and checkpoints
 * travel through the PostgreSQL artifact store, cache invalidation through Redis pub/sub.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createApiKey } from '../../src/api/auth/api-keys.ts';
import { createDb, type Db } from '../../src/shared/db/client.ts';
import { createTestDatabase, REDIS_URL } from '../helpers/env.ts';
import { freePort, spawnEntry, waitForStatus, type Spawned } from '../helpers/processes.ts';

const OMNIGLOT_DIR = process.env.OMNIGLOT_DIR ?? path.resolve(import.meta.dirname, '../../../shared/data/omniglot');
const PREFIX = `scale-${Math.random().toString(36).slice(2, 8)}`;

interface Api {
  readonly name: string;
  readonly url: string;
  readonly weightsDir: string;
  readonly process: Spawned;
}

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Db;
let auth: Record<string, string>;
const spawned: Spawned[] = [];

async function machineEnv(): Promise<Record<string, string>> {
  return {
    DATABASE_URL: database.url,
    REDIS_URL,
    QUEUE_PREFIX: PREFIX,
    ARTIFACT_STORE: 'postgres',
    WEIGHTS_DIR: await mkdtemp(path.join(os.tmpdir(), 'maml-machine-weights-')), // empty: nothing local is shared
    CACHE_DIR: path.join(os.tmpdir(), 'maml-test-cache'),
    OMNIGLOT_DIR,
    TFJS_BACKEND: 'wasm',
    LOG_LEVEL: 'info',
  };
}

async function startApi(name: string): Promise<Api> {
  const port = await freePort();
  const env: Record<string, string> = { ...(await machineEnv()), PORT: String(port), HOST: '127.0.0.1', INFERENCE_THREADS: '1' };
  const child = spawnEntry('src/api/server.ts', env);
  spawned.push(child);
  const url = `http://127.0.0.1:${port}`;
  await waitForStatus(`${url}/readyz`, 200, 60_000).catch((error: Error) => {
    throw new Error(`${error.message}\n${child.output().slice(-2000)}`);
  });
  return { name, url, weightsDir: env.WEIGHTS_DIR!, process: child };
}

async function startWorker(): Promise<Spawned> {
  const env = { ...(await machineEnv()), TRAINING_THREADS: '1', WORKER_LOCK_MS: '3000', WORKER_STALLED_INTERVAL_MS: '1000' };
  const child = spawnEntry('src/worker/worker.ts', env);
  spawned.push(child);
  return child;
}

async function call(api: Api, method: string, url: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${api.url}${url}`, {
    method,
    headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, context: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms\n${context()}`);
}

/** One image each of five characters of an unseen alphabet, and a second drawing of each. */
async function characters(): Promise<{ support: { label: string; image: string }[]; queries: string[] }> {
  const alphabet = path.join(OMNIGLOT_DIR, 'images_evaluation', 'Manipuri');
  const names = (await readdir(alphabet)).sort().slice(0, 5);
  const drawings = await Promise.all(names.map(async (c) => (await readdir(path.join(alphabet, c))).sort().map((f) => path.join(alphabet, c, f))));
  const base64 = async (file: string) => (await readFile(file)).toString('base64');
  return {
    support: await Promise.all(names.map(async (label, i) => ({ label, image: await base64(drawings[i]![0]!) }))),
    queries: await Promise.all(drawings.map((files) => base64(files[1]!))),
  };
}

before(async () => {
  database = await createTestDatabase();
  db = createDb(database.url);
  auth = { authorization: `Bearer ${(await createApiKey(db, 'admin')).key}` };
});

after(async () => {
  for (const child of spawned) child.child.kill('SIGKILL');
  await db.$disconnect();
  await database.drop();
});

test('two APIs and two workers on separate weights folders share jobs, models and sessions', async () => {
  const [a, b] = await Promise.all([startApi('A'), startApi('B')]);
  const [healthA, healthB] = await Promise.all([call(a, 'GET', '/healthz'), call(b, 'GET', '/healthz')]);
  assert.notEqual(healthA.json.instance, healthB.json.instance);
  assert.equal(await db.model.count(), 2, 'replicas starting together seed each shipped model once');
  const { support, queries } = await characters();

  // A session adapted on A predicts on B; deleted on B, it is gone on A (whose LRU held its θ′).
  const adapted = await call(a, 'POST', '/adapt', { support });
  assert.equal(adapted.status, 201, JSON.stringify(adapted.json));
  const { sessionId } = adapted.json;
  const onA = await call(a, 'POST', '/predict', { sessionId, images: queries });
  const onB = await call(b, 'POST', '/predict', { sessionId, images: queries });
  assert.equal(onB.status, 200, JSON.stringify(onB.json));
  assert.deepEqual(
    onB.json.predictions.map((p: { label: string }) => p.label),
    onA.json.predictions.map((p: { label: string }) => p.label),
  );
  assert.ok((await readdir(b.weightsDir, { recursive: true })).length > 0, 'B fetched the model into its own cache');
  assert.equal((await call(b, 'DELETE', `/sessions/${sessionId}`)).status, 204);
  assert.equal((await call(a, 'POST', '/predict', { sessionId, images: queries })).status, 404);
  assert.equal((await call(a, 'GET', `/sessions/${sessionId}`)).status, 404);

  // A job submitted through A is trained by one worker, which is killed; the other resumes it.
  const submitted = await call(a, 'POST', '/training-jobs', {
    dataset: 'omniglot',
    nWay: 5,
    kShot: 1,
    queryPerClass: 2,
    metaBatchSize: 2,
    iterations: 12,
    evalEvery: 6,
    evalTasks: 10,
    testTasks: 10,
    checkpointEvery: 3,
    seed: 9,
    name: 'scale-out',
    architecture: { filters: 8 },
  });
  assert.equal(submitted.status, 202, JSON.stringify(submitted.json));
  const { jobId } = submitted.json;
  const workers = await Promise.all([startWorker(), startWorker()]);
  const logs = () => workers.map((w, i) => `--- worker ${i}\n${w.output().slice(-1500)}`).join('\n');
  const checkpointed = await until(
    'a first checkpoint',
    async () => {
      const row = await db.trainingJob.findUnique({ where: { id: jobId } });
      return row?.checkpointIteration && row.checkpointIteration >= 3 && row.status === 'running' ? row : undefined;
    },
    120_000,
    logs,
  );
  const holder = workers.findIndex((w) => w.output().includes('training job started'));
  assert.ok(holder >= 0, logs());
  assert.ok(await db.artifact.findUnique({ where: { sha256: checkpointed.checkpointSha256! } }), 'the checkpoint is in PostgreSQL');
  workers[holder]!.child.kill('SIGKILL');
  const other = workers[1 - holder]!;
  const done = await until(
    'the job to finish on the other worker',
    async () => {
      const row = await db.trainingJob.findUnique({ where: { id: jobId } });
      return row && ['completed', 'failed'].includes(row.status) ? row : undefined;
    },
    180_000,
    logs,
  );
  assert.equal(done.status, 'completed', `${done.error}\n${logs()}`);
  assert.match(other.output(), /resuming at iteration ([3-9]|1[01]) /, 'resumed from the checkpoint, not from scratch');
  const model = await db.model.findUniqueOrThrow({ where: { id: done.modelId! } });
  assert.match(model.weightsLocation, /^postgres:/);

  // B caches the default; the model promoted through A becomes B's default without a restart.
  const before = await call(b, 'POST', '/adapt', { support });
  assert.notEqual(before.json.modelId, model.id);
  assert.equal((await call(a, 'POST', `/models/${model.id}/promote`)).status, 200);
  const after = await until(
    'B to adapt with the promoted model',
    async () => {
      const res = await call(b, 'POST', '/adapt', { support });
      return res.json.modelId === model.id ? res : undefined;
    },
    5_000,
  ); // far below the catalog's 30 s cache: the Redis notice did it
  assert.equal(after.status, 201);
  const predicted = await call(a, 'POST', '/predict', { sessionId: after.json.sessionId, images: queries });
  assert.equal(predicted.status, 200, JSON.stringify(predicted.json));
  assert.equal(predicted.json.predictions.length, 5);
});
