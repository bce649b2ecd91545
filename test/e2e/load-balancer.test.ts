/**
 * The compose topology's load balancer for real: Caddy with deploy/Caddyfile (its upstream
 * discovery swapped for the two local API processes, since `api` does not resolve here) spreads
 * requests over two replicas, a session made through it works whichever replica answers, and
 * when one replica dies the requests go on through the other. Needs the `caddy` binary (.ci/run
 * installs Debian's); skipped with a message elsewhere.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createApiKey } from '../../src/api/auth/api-keys.ts';
import { createDb } from '../../src/shared/db/client.ts';
import { createTestDatabase, REDIS_URL } from '../helpers/env.ts';
import { freePort, ROOT, spawnEntry, waitForStatus, type Spawned } from '../helpers/processes.ts';

const hasCaddy = spawnSync('caddy', ['version']).status === 0;
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGP4DwABAQEAWh8mVQAAAABJRU5ErkJggg==';

/** deploy/Caddyfile with its listen port and upstreams replaced, everything else as shipped. */
async function caddyfileFor(listen: number, upstreams: string[]): Promise<string> {
  const shipped = await readFile(path.join(ROOT, 'deploy/Caddyfile'), 'utf8');
  const dynamic = /dynamic a api 3000 \{[^}]*\}/;
  assert.match(shipped, dynamic, 'the shipped Caddyfile discovers the api replicas by DNS');
  assert.match(shipped, /^:3000 \{/m);
  return shipped.replace(dynamic, `to ${upstreams.join(' ')}`).replace(/^:3000 \{/m, `:${listen} {`);
}

test('Caddy in front of two API replicas: spread, shared sessions, and failover when one dies', {
  skip: !hasCaddy && !process.env.CI && 'caddy is not installed (apt-get install caddy)',
}, async (t) => {
  const database = await createTestDatabase();
  t.after(database.drop);
  const prefix = `lb-${Math.random().toString(36).slice(2, 8)}`;
  const apis: { port: number; process: Spawned }[] = [];
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    const api = spawnEntry('src/api/server.ts', {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: database.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      WEIGHTS_DIR: await mkdtemp(path.join(os.tmpdir(), 'maml-lb-weights-')),
      TFJS_BACKEND: 'wasm',
      INFERENCE_THREADS: '1',
      LOG_LEVEL: 'warn',
    });
    t.after(() => api.child.kill('SIGKILL'));
    apis.push({ port, process: api });
  }
  await Promise.all(apis.map((a) => waitForStatus(`http://127.0.0.1:${a.port}/readyz`, 200, 60_000)));
  const listen = await freePort();
  const config = path.join(await mkdtemp(path.join(os.tmpdir(), 'caddy-')), 'Caddyfile');
  await writeFile(
    config,
    await caddyfileFor(
      listen,
      apis.map((a) => `127.0.0.1:${a.port}`),
    ),
  );
  const caddy = spawn('caddy', ['run', '--config', config, '--adapter', 'caddyfile'], { stdio: 'ignore', env: { ...process.env, HOME: path.dirname(config) } });
  t.after(() => caddy.kill('SIGKILL'));
  const proxy = `http://127.0.0.1:${listen}`;
  await waitForStatus(`${proxy}/healthz`, 200, 15_000);

  const instances = new Set<string>();
  for (let i = 0; i < 30; i++) instances.add(((await (await fetch(`${proxy}/healthz`)).json()) as { instance: string }).instance);
  assert.equal(instances.size, 2, 'requests reach both replicas');

  const auth = { authorization: `Bearer ${(await createApiKey(createDb(database.url), 'client')).key}`, 'content-type': 'application/json' };
  const post = (url: string, body: unknown) => fetch(`${proxy}${url}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
  const adapted = await post('/adapt', { support: ['a', 'b', 'c'].map((label) => ({ label, image: PNG })) });
  assert.equal(adapted.status, 201);
  const { sessionId } = (await adapted.json()) as { sessionId: string };
  for (let i = 0; i < 6; i++) assert.equal((await post('/predict', { sessionId, images: [PNG] })).status, 200, 'the session works on either replica');

  // A crash. Requests without a body are retried on B when a connection to A fails: every one
  // succeeds. A POST whose connection attempt hits the dead A is retried too on Caddy releases
  // with the fix for caddyserver/caddy#7546; older ones (Debian's 2.6) answer it 502, which the
  // clients retry. Either way nothing hangs and B keeps serving.
  apis[0]!.process.child.kill('SIGKILL');
  await apis[0]!.process.exited();
  const gets: number[] = [];
  for (let i = 0; i < 12; i++) gets.push((await fetch(`${proxy}/sessions/${sessionId}`, { headers: auth })).status);
  assert.deepEqual(gets, Array(12).fill(200), `GET after replica A died: ${gets.join()}`);
  const posts: number[] = [];
  for (let i = 0; i < 8; i++) posts.push((await post('/predict', { sessionId, images: [PNG] })).status);
  assert.ok(
    posts.every((s) => s === 200 || s === 502),
    `POST after replica A died: ${posts.join()}`,
  );
  assert.equal((await fetch(`${proxy}/readyz`)).status, 200, 'B serves on');
});
