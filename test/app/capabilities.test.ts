/**
 * GET /capabilities answers from the one list of each kind (src/core/kinds.ts), and openapi.yaml
 * names the same kinds wherever it lists them: adding a kind without documenting it fails here.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALGORITHMS, BACKENDS, META_ALGORITHMS, NETWORK_KINDS, NETWORKS, STAGE_ALGORITHMS } from '../../src/core/kinds.ts';
import { createApiKey } from '../../src/api/auth/api-keys.ts';
import { loadOpenApi } from '../../src/api/plugins/docs.ts';
import { buildTestApp, createTestDatabase } from '../helpers/env.ts';
import { registerTestModel } from '../helpers/models.ts';

type Schema = { enum?: unknown[]; properties?: Record<string, Schema>; items?: Schema; allOf?: Schema[]; anyOf?: Schema[] };

test("GET /capabilities (no key): every network, algorithm and backend with what each can do; GET /models names each model's", async (t) => {
  const database = await createTestDatabase();
  t.after(database.drop);
  const { app, deps, close } = await buildTestApp(database.url);
  t.after(close);
  const res = await app.inject({ method: 'GET', url: '/capabilities' });
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json();
  assert.deepEqual(
    body.networks,
    NETWORK_KINDS.map((kind) => ({ kind, ...NETWORKS[kind] })),
  );
  assert.deepEqual(
    body.algorithms,
    META_ALGORITHMS.map((name) => ({ name, ...ALGORITHMS[name] })),
  );
  assert.deepEqual(body.backends, [...BACKENDS]);
  assert.deepEqual(
    body.algorithms.filter((a: { stage: boolean }) => a.stage).map((a: { name: string }) => a.name),
    STAGE_ALGORITHMS,
  );

  await registerTestModel(deps.db, deps.store, { name: 'caps' });
  const models = await app.inject({ method: 'GET', url: '/models', headers: { authorization: `Bearer ${(await createApiKey(deps.db, 'client')).key}` } });
  assert.equal(models.statusCode, 200, models.body);
  assert.deepEqual(models.json().models[0].capabilities, NETWORKS.conv4);
});

test('openapi.yaml lists the same kinds as src/core/kinds.ts', async () => {
  const schemas = ((await loadOpenApi()) as { components: { schemas: Record<string, Schema> } }).components.schemas;
  const training = schemas['TrainingConfigInput']!.properties!;
  assert.deepEqual(training['algorithm']!.enum, META_ALGORITHMS, 'TrainingConfigInput.algorithm');
  const stage = JSON.stringify(training['stages']);
  const stageEnum = /"algorithm":\{[^}]*"enum":\[([^\]]*)\]/.exec(stage)?.[1];
  assert.deepEqual(JSON.parse(`[${stageEnum}]`).sort(), [...STAGE_ALGORITHMS].sort(), 'stages[].algorithm');
  const caps = schemas['Capabilities']!.properties!;
  assert.deepEqual(caps['algorithms']!.items!.properties!['name']!.enum, META_ALGORITHMS);
  assert.deepEqual(caps['backends']!.items!.enum, [...BACKENDS]);
  assert.deepEqual(caps['networks']!.items!.properties!['kind']!.enum, NETWORK_KINDS);
});
