import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, REDIS_URL } from '../helpers/env.ts';
import { freePort, spawnEntry, waitForStatus } from '../helpers/processes.ts';

test('a bad configuration value stops the API at start-up with a message naming the variable', async () => {
  const api = spawnEntry('src/server.ts', { PORT: 'not-a-port' });
  const { code } = await api.exited();
  assert.equal(code, 2);
  assert.match(api.output(), /invalid PORT="not-a-port"/);
});

test('the API process serves, logs JSON with request ids, and shuts down cleanly on SIGTERM', async (t) => {
  const database = await createTestDatabase();
  t.after(database.drop);
  const port = await freePort();
  const api = spawnEntry('src/server.ts', {
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

  api.child.kill('SIGTERM');
  const { code } = await api.exited();
  assert.equal(code, 0, api.output());
  const lines = api.output().trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.ok(lines.some((l) => l.reqId === 'req-e2e-1'), 'request lines carry the request id');
  assert.ok(lines.some((l) => l.msg === 'shut down cleanly'));
  assert.ok(!api.output().includes('mk_'), 'no key material in logs');
});
