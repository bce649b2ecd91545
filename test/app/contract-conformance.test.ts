/**
 * Real answers match the documented contract: a tour of every route (successes and the usual
 * errors) with test/helpers/conformance.ts watching, which fails on an undocumented status, a body
 * that does not validate against its schema, or another content type than documented.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createApiKey } from '../../src/api/auth/api-keys.ts';
import { folderEntries, upload, zipOf } from '../datasets/fixtures.ts';
import { watchContract, type ContractWatch } from '../helpers/conformance.ts';
import { buildTestApp, createTestDatabase, type TestApp } from '../helpers/env.ts';
import { registerTestModel, testCheckpoint } from '../helpers/models.ts';
import { multipart } from '../helpers/multipart.ts';

const OMNIGLOT = process.env.OMNIGLOT_DIR ?? path.resolve(import.meta.dirname, '../../../shared/data/omniglot');
const ALPHABET = path.join(OMNIGLOT, 'images_evaluation', 'Angelic');

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let t: TestApp;
let watch: ContractWatch;
let admin: Record<string, string>;
let client: Record<string, string>;

before(async () => {
  database = await createTestDatabase();
  t = await buildTestApp(database.url);
  watch = watchContract(t.app);
  admin = { authorization: `Bearer ${(await createApiKey(t.db, 'admin')).key}` };
  client = { authorization: `Bearer ${(await createApiKey(t.db, 'client')).key}` };
});
after(async () => {
  await t.close();
  await database.drop();
});

const call = async (method: string, url: string, status: number, options: { headers?: Record<string, string>; payload?: unknown } = {}) => {
  const res = await t.app.inject({ method: method as 'GET', url, headers: options.headers, payload: options.payload as string });
  assert.equal(res.statusCode, status, `${method} ${url}: ${res.body.slice(0, 300)}`);
  return res;
};

test('every answer of a tour of the routes is documented and validates against its schema', async () => {
  const missing = '00000000-0000-4000-8000-000000000000';
  await call('GET', '/healthz', 200);
  await call('GET', '/readyz', 200);
  await call('GET', '/metrics', 200);
  await call('GET', '/capabilities', 200);

  // keys
  const key = (await call('POST', '/keys', 201, { headers: admin, payload: { role: 'client', name: 'tour' } })).json();
  await call('POST', '/keys', 400, { headers: admin, payload: { role: 'root' } });
  await call('POST', '/keys', 403, { headers: client, payload: { role: 'client' } });
  await call('GET', '/keys?includeRevoked=true', 200, { headers: admin });
  await call('GET', '/keys?limit=0', 400, { headers: admin });
  await call('DELETE', `/keys/${key.id}`, 200, { headers: admin });
  await call('DELETE', `/keys/${missing}`, 404, { headers: admin });
  await call('GET', '/keys', 401);

  // models
  await registerTestModel(t.db, t.deps.store, { name: 'tour-5way', nWay: 5 });
  const imported = (
    await call('POST', '/models?name=tour-import', 201, {
      headers: { ...admin, 'content-type': 'application/octet-stream' },
      payload: Buffer.from(await testCheckpoint({ seed: 5 })),
    })
  ).json();
  await call('POST', '/models?name=bad', 422, { headers: { ...admin, 'content-type': 'application/octet-stream' }, payload: Buffer.from([1, 2, 3]) });
  await call('GET', '/models?status=ready', 200, { headers: client });
  await call('GET', '/models?status=lost', 400, { headers: client });
  // ajv coerces "Infinity" and skips its bounds: refused after validation (it was a 500).
  assert.equal((await call('GET', '/models?limit=Infinity', 400, { headers: client })).json().error.message, 'querystring/limit must be a finite number');
  await call('POST', '/training-jobs', 400, { headers: admin, payload: { dataset: 'omniglot', iterations: 'Infinity' } });
  await call('GET', '/models/tour-5way', 200, { headers: client });
  await call('GET', `/models/${missing}`, 404, { headers: client });
  await call('GET', `/models/${imported.id}/weights`, 200, { headers: client });
  await call('POST', `/models/${imported.id}/promote`, 200, { headers: admin });
  await call('POST', '/models/tour-5way/promote', 200, { headers: admin });

  // sessions, JSON and multipart
  const characters = (await readdir(ALPHABET)).sort().slice(0, 5);
  const pngs = await Promise.all(characters.map(async (c) => readFile(path.join(ALPHABET, c, (await readdir(path.join(ALPHABET, c))).sort()[0]!))));
  const support = pngs.map((png, i) => ({ label: `c${i}`, image: png.toString('base64') }));
  const session = (await call('POST', '/adapt', 201, { headers: client, payload: { support, steps: 1 } })).json();
  await call('POST', '/adapt', 400, { headers: client, payload: { support: [] } });
  await call('POST', '/adapt', 422, { headers: client, payload: { support: support.slice(0, 1) } });
  await call('POST', '/adapt', 404, { headers: client, payload: { support, model: 'no-such-model' } });
  await call('POST', '/adapt', 415, { headers: client, payload: { support: support.map((s) => ({ ...s, image: 'bm90IGFuIGltYWdl' })) } });
  const form = multipart([
    { name: 'labels', value: JSON.stringify(support.map((s) => s.label)) },
    { name: 'steps', value: '1' },
    ...pngs.map((png, i) => ({ name: 'images', value: png, filename: `${i}.png` })),
  ]);
  await call('POST', '/adapt', 201, { headers: { ...client, ...form.headers }, payload: form.payload });
  const badSteps = multipart([
    { name: 'labels', value: '["a"]' },
    { name: 'steps', value: '1000' },
  ]);
  await call('POST', '/adapt', 400, { headers: { ...client, ...badSteps.headers }, payload: badSteps.payload });
  await call('POST', '/predict', 200, { headers: client, payload: { sessionId: session.sessionId, images: [support[0]!.image] } });
  const query = multipart([
    { name: 'sessionId', value: session.sessionId },
    { name: 'images', value: pngs[1]!, filename: 'q.png' },
  ]);
  await call('POST', '/predict', 200, { headers: { ...client, ...query.headers }, payload: query.payload });
  await call('POST', '/predict', 404, { headers: client, payload: { sessionId: 'A'.repeat(24), images: [support[0]!.image] } });
  await call('GET', `/sessions/${session.sessionId}`, 200, { headers: client });
  await call('GET', '/sessions/short', 400, { headers: client });
  await call('DELETE', `/sessions/${session.sessionId}`, 204, { headers: client });
  await call('DELETE', `/sessions/${session.sessionId}`, 404, { headers: client });

  // training jobs (queued only: no worker runs here)
  const job = (await call('POST', '/training-jobs', 202, { headers: admin, payload: { dataset: 'omniglot', iterations: 10, evalEvery: 5 } })).json();
  await call('POST', '/training-jobs', 400, {
    headers: admin,
    payload: { dataset: 'omniglot', stages: [{ kind: 'pretrain' }, { kind: 'meta', innerSteps: 21 }] },
  });
  await call('GET', '/training-jobs?status=queued', 200, { headers: admin });
  await call('GET', `/training-jobs/${job.jobId}`, 200, { headers: admin });
  await call('GET', `/training-jobs/${job.jobId}/curve.svg`, 200, { headers: admin });
  await call('GET', `/training-jobs/${missing}/events`, 404, { headers: admin });
  await call('DELETE', `/training-jobs/${job.jobId}`, 200, { headers: admin });
  await call('DELETE', `/training-jobs/${job.jobId}`, 409, { headers: admin });
  await call('GET', `/training-jobs/${missing}`, 404, { headers: admin });

  // datasets
  const body = upload(zipOf(folderEntries(5, 2)), 'tour-set', { size: '16' });
  const dataset = (await call('POST', '/datasets', 202, { headers: { ...admin, ...body.headers }, payload: body.payload })).json();
  await t.deps.ingestion.settled(); // the 202 answer above is the processing row (nulls where the content will be)
  const badSize = upload(zipOf(folderEntries(5, 2)), 'tour-set', { size: 'x' });
  await call('POST', '/datasets', 400, { headers: { ...admin, ...badSize.headers }, payload: badSize.payload });
  await call('POST', '/datasets', 415, { headers: admin, payload: { name: 'x' } });
  await call('GET', '/datasets', 200, { headers: admin });
  await call('GET', `/datasets/${dataset.id}`, 200, { headers: admin });
  await call('DELETE', `/datasets/${dataset.id}`, 204, { headers: admin });
  await call('GET', `/datasets/${dataset.id}`, 404, { headers: admin });

  assert.deepEqual(watch.violations, []);
  assert.ok(watch.seen.size >= 45, `${watch.seen.size} answers checked`);
});

test('the watch itself fails on a body that breaks its schema (the tour above can fail)', async () => {
  const before = watch.violations.length;
  // /healthz documents `uptimeSeconds` as an integer: a route answering otherwise is caught.
  const app = (await import('fastify')).default();
  const { routeOptions } = await import('../../src/api/contract/route.ts');
  const { healthRoute } = await import('../../src/api/routes/health/schemas.ts');
  const own = watchContract(app);
  app.route({ ...routeOptions(healthRoute), schema: {}, handler: async () => ({ status: 'ok', uptimeSeconds: 'soon', backend: 'x', instance: 'y' }) });
  await app.inject({ method: 'GET', url: '/healthz' });
  await app.close();
  assert.equal(watch.violations.length, before);
  assert.deepEqual(own.violations, ['GET /healthz 200: body/uptimeSeconds must be integer']);
});
