/** Random JSON bodies and multipart fields against the session routes: always a 4xx JSON error (or success), never a 5xx. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createApiKey } from '../../src/api/auth/api-keys.ts';
import { buildTestApp, createTestDatabase } from '../helpers/env.ts';
import { registerTestModel } from '../helpers/models.ts';

test('fuzzed /adapt and /predict bodies never make the server fail (no 5xx) and always get the error shape', async (t) => {
  const database = await createTestDatabase();
  const app = await buildTestApp(database.url);
  t.after(async () => (await app.close(), await database.drop()));
  await registerTestModel(app.db, app.deps.store);
  const headers = { authorization: `Bearer ${(await createApiKey(app.db, 'client')).key}`, 'content-type': 'application/json' };
  const body = fc.oneof(
    fc.json(),
    fc
      .record(
        {
          support: fc.array(fc.record({ label: fc.string(), image: fc.base64String({ maxLength: 64 }) }, { requiredKeys: [] }), { maxLength: 6 }),
          steps: fc.anything(),
          model: fc.anything(),
        },
        { requiredKeys: [] },
      )
      .map((v) => JSON.stringify(v)),
    fc
      .record(
        { sessionId: fc.oneof(fc.string(), fc.stringMatching(/^[A-Za-z0-9_-]{24}$/)), images: fc.array(fc.base64String({ maxLength: 64 }), { maxLength: 4 }) },
        { requiredKeys: [] },
      )
      .map((v) => JSON.stringify(v)),
  );
  await fc.assert(
    fc.asyncProperty(fc.constantFrom('/adapt', '/predict'), body, async (url, payload) => {
      const res = await app.app.inject({ method: 'POST', url, headers, payload });
      assert.ok(res.statusCode < 500, `${url} ${payload.slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 200)}`);
      if (res.statusCode >= 400) assert.equal(typeof res.json().error.code, 'string');
    }),
    { numRuns: 150 },
  );
  assert.equal((await app.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
});
