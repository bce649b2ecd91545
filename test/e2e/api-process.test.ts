import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, REDIS_URL } from '../helpers/env.ts';
import { createApiKey } from '../../src/api/auth/api-keys.ts';
import { createDb } from '../../src/shared/db/client.ts';
import { freePort, spawnEntry, waitForStatus } from '../helpers/processes.ts';

test('a bad configuration value stops the API at start-up with a message naming the variable', async () => {
  const api = spawnEntry('src/api/server.ts', { PORT: 'not-a-port' });
  const { code } = await api.exited();
  assert.equal(code, 2);
  assert.match(api.output(), /invalid PORT="not-a-port"/);
});

test('the API process serves, logs JSON with request ids (never keys), and on SIGTERM under load finishes every request it accepted', async (t) => {
  const database = await createTestDatabase();
  t.after(database.drop);
  const port = await freePort();
  const api = spawnEntry('src/api/server.ts', {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    REDIS_URL,
    WEIGHTS_DIR: `/tmp/maml-e2e-${port}/weights`,
    LOG_LEVEL: 'info',
    TFJS_BACKEND: 'auto',
  });
  t.after(() => api.child.kill('SIGKILL'));
  const ready = await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, 30_000);
  assert.deepEqual(await ready.json(), { status: 'ready', checks: { postgres: 'up', redis: 'up' } });
  const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { backend: string };
  assert.equal(health.backend, 'wasm');
  const denied = await fetch(`http://127.0.0.1:${port}/models`, { headers: { 'x-request-id': 'req-e2e-1' } });
  assert.equal(denied.status, 401);
  assert.equal(denied.headers.get('x-request-id'), 'req-e2e-1');

  // Adaptations in flight when SIGTERM arrives are answered in full before the process exits.
  const key = (await createApiKey(createDb(database.url), 'client')).key;
  const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGP4DwABAQEAWh8mVQAAAABJRU5ErkJggg==';
  const body = JSON.stringify({ support: ['a', 'b', 'c', 'd', 'e'].map((label) => ({ label, image: png })) });
  const inFlight = Array.from({ length: 6 }, (_, i) =>
    fetch(`http://127.0.0.1:${port}/adapt`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-request-id': `sigterm-${i}` },
      body,
    }).then(async (r) => ({ status: r.status, body: await r.text() })),
  );
  const received = () => [0, 1, 2, 3, 4, 5].every((i) => api.output().includes(`"reqId":"sigterm-${i}"`));
  for (const deadline = Date.now() + 20_000; !received() && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 10));
  api.child.kill('SIGTERM');
  const answers = await Promise.all(inFlight);
  for (const a of answers) {
    assert.equal(a.status, 201, a.body);
    assert.match(JSON.parse(a.body).sessionId, /^[A-Za-z0-9_-]{24}$/);
  }
  const { code } = await api.exited();
  assert.equal(code, 0, api.output());
  const lines = api
    .output()
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.ok(
    lines.some((l) => l.reqId === 'req-e2e-1'),
    'request lines carry the request id',
  );
  assert.ok(lines.some((l) => l.msg === 'shut down cleanly'));
  assert.ok(!api.output().includes('mk_') && !api.output().includes(key.slice(3)), 'no key material in logs');
});
