import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createApiKey } from '../../src/api/auth/api-keys.ts';
import { buildTestApp, createTestDatabase } from '../helpers/env.ts';
import { registerTestModel } from '../helpers/models.ts';
import { until } from '../helpers/wait.ts';

const OMNIGLOT = process.env.OMNIGLOT_DIR ?? path.resolve(import.meta.dirname, '../../../shared/data/omniglot');

test('beyond the bounded queue /adapt answers 503 OVERLOADED with Retry-After; /healthz stays fast; metrics count it', async (t) => {
  const database = await createTestDatabase();
  const app = await buildTestApp(database.url, { INFERENCE_THREADS: '1', INFERENCE_QUEUE: '1' });
  t.after(async () => {
    await app.close();
    await database.drop();
  });
  await registerTestModel(app.db, app.deps.store, { filters: 32 });
  const auth = { authorization: `Bearer ${(await createApiKey(app.db, 'client')).key}` };
  const png = (await readFile(path.join(OMNIGLOT, 'images_evaluation', 'Angelic', 'character01', '0965_01.png'))).toString('base64');
  const support = ['a', 'b', 'c', 'd', 'e'].map((label) => ({ label, image: png }));
  const warm = await app.app.inject({ method: 'POST', url: '/adapt', headers: auth, payload: { support } });
  assert.equal(warm.statusCode, 201, warm.body);

  const inflight = Array.from({ length: 8 }, () => app.app.inject({ method: 'POST', url: '/adapt', headers: auth, payload: { support, steps: 20 } }));
  let settled = false;
  void Promise.allSettled(inflight).then(() => (settled = true));
  await until('the adaptations to reach the inference pool', () => app.deps.pool.stats.queued > 0 || settled); // the thread is busy, the rest wait
  const started = performance.now();
  const health = await app.app.inject({ method: 'GET', url: '/healthz' });
  const healthMs = performance.now() - started;
  const results = await Promise.all(inflight);
  assert.equal(health.statusCode, 200);
  assert.ok(healthMs < 250, `/healthz took ${healthMs} ms while adaptations ran`);
  const statuses = results.map((r) => r.statusCode);
  assert.ok(statuses.includes(201), JSON.stringify(statuses));
  const refused = results.filter((r) => r.statusCode === 503);
  assert.ok(refused.length >= 1, JSON.stringify(statuses));
  assert.equal(refused[0]!.json().error.code, 'OVERLOADED');
  assert.equal(refused[0]!.headers['retry-after'], '1');
  assert.ok(statuses.every((s) => s === 201 || s === 503));

  const metrics = (await app.app.inject({ method: 'GET', url: '/metrics' })).body;
  assert.match(metrics, /maml_sessions_created_total\{model="test-conv4"\} \d+/);
  assert.match(metrics, /maml_adapt_duration_seconds_count\{model="test-conv4"\} \d+/);
  assert.match(metrics, /maml_inference_queue_depth \d+/);
});
