import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createApiKey } from '../../src/api/auth/api-keys.ts';
import { buildTestApp, createTestDatabase, type TestApp } from '../helpers/env.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let testApp: TestApp;
let admin: Record<string, string>;

before(async () => {
  database = await createTestDatabase();
  testApp = await buildTestApp(database.url);
  admin = { authorization: `Bearer ${(await createApiKey(testApp.db, 'admin')).key}` };
});

after(async () => {
  await testApp.close();
  await database.drop();
});

test('GET /training-jobs/:id/curve.svg draws the stored metrics as a self-contained SVG', async () => {
  const job = await testApp.db.trainingJob.create({
    data: { name: 'curve-<job>', config: { dataset: 'omniglot', algorithm: 'maml', iterations: 3000 }, status: 'running' },
  });
  await testApp.db.trainingMetric.createMany({
    data: Array.from({ length: 3000 }, (_, k) => ({
      jobId: job.id,
      iteration: k + 1,
      metaLoss: 1.6 * Math.exp(-k / 500),
      accuracy: 1 - 0.8 * Math.exp(-k / 500),
      validationAccuracy: (k + 1) % 500 === 0 ? 0.8 : null,
      validationCi95: (k + 1) % 500 === 0 ? 0.02 : null,
    })),
  });
  const res = await testApp.app.inject({ method: 'GET', url: `/training-jobs/${job.id}/curve.svg`, headers: admin });
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'] as string, /^image\/svg\+xml/);
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.match(res.headers['content-security-policy'] as string, /default-src 'none'/);
  assert.match(res.body, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(res.body, /<\/svg>$/);
  assert.ok(res.body.includes('curve-&lt;job&gt;'), 'the title, escaped');
  assert.ok(res.body.includes('iteration 3000 of 3000'));
  const series = [...res.body.matchAll(/<polyline points="([^"]*)"/g)].map((m) => m[1]!.split(' ').length);
  assert.deepEqual(series, [1000, 1000, 6], 'loss and accuracy downsampled to 1000 points; 6 validations');
  assert.equal((res.body.match(/<polygon /g) ?? []).length, 1, 'the CI band');
});

test('a job without metrics gets a "no data yet" chart; unknown 404, bad id 400, client 403', async () => {
  const job = await testApp.db.trainingJob.create({ data: { config: { dataset: 'sinusoid' } } });
  const res = await testApp.app.inject({ method: 'GET', url: `/training-jobs/${job.id}/curve.svg`, headers: admin });
  assert.equal(res.statusCode, 200);
  assert.match(res.body, /no data yet/);
  const missing = await testApp.app.inject({ method: 'GET', url: '/training-jobs/00000000-0000-4000-8000-000000000000/curve.svg', headers: admin });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().error.code, 'TRAINING_JOB_NOT_FOUND');
  assert.equal((await testApp.app.inject({ method: 'GET', url: '/training-jobs/x/curve.svg', headers: admin })).statusCode, 400);
  const client = { authorization: `Bearer ${(await createApiKey(testApp.db, 'client')).key}` };
  assert.equal((await testApp.app.inject({ method: 'GET', url: `/training-jobs/${job.id}/curve.svg`, headers: client })).statusCode, 403);
});
