import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createApiKey } from '../../src/api/auth/api-keys.ts';
import { buildTestApp, createTestDatabase, type TestApp } from '../helpers/env.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let testApp: TestApp;
let admin: Record<string, string>;
let client: Record<string, string>;

before(async () => {
  database = await createTestDatabase();
  // buildTestApp gives each app a queue prefix of its own; pausing keeps the jobs queued.
  testApp = await buildTestApp(database.url);
  await testApp.deps.trainingQueue.pause();
  admin = { authorization: `Bearer ${(await createApiKey(testApp.db, 'admin')).key}` };
  client = { authorization: `Bearer ${(await createApiKey(testApp.db, 'client')).key}` };
});

after(async () => {
  await testApp.deps.trainingQueue.obliterate({ force: true }).catch(() => undefined);
  await testApp.close();
  await database.drop();
});

test('submitting a job: 202 with the paper defaults filled in, a queued row and a queue entry', async () => {
  const res = await testApp.app.inject({ method: 'POST', url: '/training-jobs', headers: admin, payload: { dataset: 'omniglot', seed: 7 } });
  assert.equal(res.statusCode, 202, res.body);
  const body = res.json();
  assert.equal(body.status, 'queued');
  assert.equal(body.config.nWay, 5);
  assert.equal(body.config.innerLr, 0.4);
  assert.equal(body.config.metaBatchSize, 32);
  assert.equal(body.config.seed, 7);
  const row = await testApp.db.trainingJob.findUnique({ where: { id: body.jobId } });
  assert.equal(row?.status, 'queued');
  const entry = await testApp.deps.trainingQueue.getJob(body.jobId);
  assert.deepEqual(entry?.data, { jobId: body.jobId });

  const one = await testApp.app.inject({ method: 'GET', url: `/training-jobs/${body.jobId}`, headers: admin });
  assert.equal(one.statusCode, 200);
  assert.equal(one.json().progress.iterations, 60_000);
  const list = await testApp.app.inject({ method: 'GET', url: '/training-jobs?status=queued', headers: admin });
  assert.ok(list.json().jobs.some((j: { jobId: string }) => j.jobId === body.jobId));
});

test('20-way defaults follow the paper (inner lr 0.1, 5 steps, meta-batch 16)', async () => {
  const res = await testApp.app.inject({ method: 'POST', url: '/training-jobs', headers: admin, payload: { dataset: 'omniglot', nWay: 20 } });
  const { config } = res.json();
  assert.deepEqual([config.innerLr, config.innerSteps, config.metaBatchSize], [0.1, 5, 16]);
});

test('every field is bounded: 400 naming the field', async () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ dataset: 'imagenet' }, /dataset/],
    [{ dataset: 'omniglot', nWay: 1 }, /nWay/],
    [{ dataset: 'omniglot', innerLr: -1 }, /innerLr/],
    [{ dataset: 'omniglot', iterations: 0 }, /iterations/],
    [{ dataset: 'omniglot', algorithm: 'magic' }, /algorithm/],
    [{ dataset: 'omniglot', bogus: 1 }, /bogus|additional/],
    [{ dataset: 'omniglot', architecture: { filters: 10_000 } }, /filters/],
    [{ dataset: 'sinusoid', architecture: { filters: 40 } }, /filters.*hiddenUnits/],
    [{ dataset: 'omniglot', architecture: { hiddenUnits: 40 } }, /hiddenUnits.*filters/],
    [{ dataset: 'omniglot', nWay: 5, architecture: { maxWays: 20 } }, /maxWays/],
    [{}, /dataset/],
    [{ dataset: '00000000-0000-4000-8000-000000000000' }, /no uploaded dataset/],
    [{ dataset: 'omniglot', stages: [{ kind: 'meta' }] }, /stages\[0\]/],
    [{ dataset: 'omniglot', stages: [{ kind: 'pretrain', epochs: 0 }] }, /epochs/],
    [{ dataset: 'omniglot', stages: [{ kind: 'pretrain' }, { kind: 'meta', innerSteps: 21 }] }, /innerSteps/],
    [{ dataset: 'omniglot', architecture: { headInit: 'prototype' } }, /architecture/],
    [{ dataset: 'sinusoid', stages: [{ kind: 'pretrain' }] }, /stages/],
  ];
  for (const [payload, field] of cases) {
    const res = await testApp.app.inject({ method: 'POST', url: '/training-jobs', headers: admin, payload });
    assert.equal(res.statusCode, 400, JSON.stringify(payload));
    assert.equal(res.json().error.code, 'VALIDATION_ERROR');
    assert.match(res.json().error.message, field, JSON.stringify(payload));
  }
});

test('a staged pipeline job: stages resolved with defaults (a meta stage inherits the job task shape), prototype head, frozen normalisation', async () => {
  const payload = {
    dataset: 'omniglot',
    seed: 3,
    nWay: 20,
    stages: [
      { kind: 'pretrain', epochs: 2 },
      { kind: 'meta', innerSteps: 0, nWay: 40 },
      { kind: 'meta', algorithm: 'maml' },
    ],
  };
  const res = await testApp.app.inject({ method: 'POST', url: '/training-jobs', headers: admin, payload });
  assert.equal(res.statusCode, 202, res.body);
  const { config } = res.json();
  assert.equal(config.architecture.headInit, 'prototype');
  assert.equal(config.architecture.normalization, 'frozen');
  assert.equal(config.architecture.maxWays, 100);
  assert.deepEqual(
    config.stages.map((s: { kind: string; nWay?: number }) => [s.kind, s.nWay ?? null]),
    [
      ['pretrain', null],
      ['meta', 40],
      ['meta', 20],
    ],
  );
  assert.deepEqual(config.selection, { steps: [1, 3], innerLr: [0.003, 0.01, 0.03, 0.1], adapt: ['all', 'head'], shots: [1, 5] });
});

test('training jobs are admin-only', async () => {
  const res = await testApp.app.inject({ method: 'POST', url: '/training-jobs', headers: client, payload: { dataset: 'sinusoid' } });
  assert.equal(res.statusCode, 403);
});

test('cancelling a queued job removes it from the queue and marks it cancelled; again is 409', async () => {
  const { jobId } = (await testApp.app.inject({ method: 'POST', url: '/training-jobs', headers: admin, payload: { dataset: 'sinusoid' } })).json();
  const res = await testApp.app.inject({ method: 'DELETE', url: `/training-jobs/${jobId}`, headers: admin });
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().status, 'cancelled');
  assert.equal(await testApp.deps.trainingQueue.getJob(jobId), undefined);
  // The cancel flag lives under QUEUE_PREFIX, as every key of this deployment.
  assert.equal(await testApp.deps.redis.exists(`${testApp.deps.config.queuePrefix}:training:cancel:${jobId}`), 1);
  const again = await testApp.app.inject({ method: 'DELETE', url: `/training-jobs/${jobId}`, headers: admin });
  assert.equal(again.statusCode, 409);
  const missing = await testApp.app.inject({ method: 'DELETE', url: '/training-jobs/00000000-0000-4000-8000-000000000000', headers: admin });
  assert.equal(missing.statusCode, 404);
  const bad = await testApp.app.inject({ method: 'GET', url: '/training-jobs/not-a-uuid', headers: admin });
  assert.equal(bad.statusCode, 400);
});
