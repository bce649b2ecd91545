/** The `maml` CLI as a child process against the real service: adapt from a folder of Omniglot PNGs, predict, models, keys, errors. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createApiKey } from '../../src/api/auth/api-keys.ts';
import { registerModel } from '../../src/shared/models/registry.ts';
import { buildTestApp, createTestDatabase, type TestApp } from '../helpers/env.ts';
import { runCli } from '../helpers/cli.ts';
import { freePort } from '../helpers/processes.ts';

const OMNIGLOT = process.env.OMNIGLOT_DIR ?? path.resolve(import.meta.dirname, '../../../shared/data/omniglot');
const ALPHABET = path.join(OMNIGLOT, 'images_evaluation', 'Manipuri');
const SHIPPED = path.resolve(import.meta.dirname, '../../models/omniglot-5way.safetensors');

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let t: TestApp;
let dir: string;
let admin: Record<string, string>;
let client: Record<string, string>;
const characters: string[] = [];

before(async () => {
  database = await createTestDatabase();
  t = await buildTestApp(database.url);
  const { metrics } = JSON.parse(await readFile(`${SHIPPED}.json`, 'utf8')) as { metrics: Record<string, unknown> };
  await registerModel(t.db, t.deps.store, { name: 'omniglot-5way', checkpoint: new Uint8Array(await readFile(SHIPPED)), metrics, makeDefault: true });
  const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  admin = { MAML_URL: url, MAML_API_KEY: (await createApiKey(t.db, 'admin')).key };
  client = { MAML_URL: url, MAML_API_KEY: (await createApiKey(t.db, 'client')).key };
  // support/<character>/<first drawing>, queries/<character>/<second drawing>
  dir = await mkdtemp(path.join(os.tmpdir(), 'maml-cli-'));
  characters.push(...(await readdir(ALPHABET)).sort().slice(0, 5));
  for (const c of characters) {
    const drawings = (await readdir(path.join(ALPHABET, c))).sort();
    await mkdir(path.join(dir, 'support', c), { recursive: true });
    await mkdir(path.join(dir, 'queries', c), { recursive: true });
    await copyFile(path.join(ALPHABET, c, drawings[0]!), path.join(dir, 'support', c, drawings[0]!));
    await copyFile(path.join(ALPHABET, c, drawings[1]!), path.join(dir, 'queries', c, drawings[1]!));
  }
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
  await t.close();
  await database.drop();
});

test('adapt <folder> then predict <session> <folder>: labels from sub-folders, a table per file, and JSON', async () => {
  const adapted = await runCli(['adapt', path.join(dir, 'support')], client);
  assert.equal(adapted.code, 0, adapted.stderr);
  const sessionId = /^session\s+([A-Za-z0-9_-]{24})$/m.exec(adapted.stdout)?.[1];
  assert.ok(sessionId, adapted.stdout);
  assert.match(adapted.stdout, new RegExp(`^classes\\s+5: ${characters.join(', ')}$`, 'm'));
  assert.match(adapted.stdout, /^images\s+5 from .*support \(1 per class\)$/m);
  assert.match(adapted.stdout, /^support\s+accuracy 100\.0 %, loss [\d.e-]+ after 3 steps$/m);

  const table = await runCli(['predict', sessionId, path.join(dir, 'queries')], client);
  assert.equal(table.code, 0, table.stderr);
  const lines = table.stdout.trim().split('\n');
  assert.match(lines[0]!, /^file\s+label\s+score$/);
  assert.equal(lines.length, 6);
  lines.slice(1).forEach((line, i) => assert.match(line, new RegExp(`^${characters[i]}/\\S+\\.png\\s+character\\d\\d\\s+(0\\.\\d{3}|1\\.000)$`)));

  const json = await runCli(['predict', '--json', sessionId, path.join(dir, 'queries')], client);
  assert.equal(json.code, 0, json.stderr);
  const rows = JSON.parse(json.stdout) as { file: string; label: string; score: number; scores: Record<string, number> }[];
  assert.equal(rows.length, 5);
  for (const row of rows) {
    assert.deepEqual(Object.keys(row.scores), characters);
    assert.ok(Math.abs(Object.values(row.scores).reduce((a, b) => a + b, 0) - 1) < 1e-3);
    assert.equal(row.score, Math.max(...Object.values(row.scores)));
  }
  const right = rows.filter((r) => path.basename(path.dirname(r.file)) === r.label).length;
  assert.ok(right >= 4, `the shipped model classified ${right} of 5 unseen-alphabet drawings correctly`);
});

test('adapt --json with --steps and --model; a support set the model cannot take is the API error, exit 1', async () => {
  const adapted = await runCli(['adapt', '--json', '--steps', '1', '--model', 'omniglot-5way', path.join(dir, 'support')], client);
  assert.equal(adapted.code, 0, adapted.stderr);
  const body = JSON.parse(adapted.stdout);
  assert.equal(body.steps, 1);
  assert.deepEqual(body.labels, characters);

  const three = path.join(dir, 'three');
  for (const c of characters.slice(0, 1)) {
    await mkdir(path.join(three, c), { recursive: true });
    await copyFile(path.join(dir, 'support', c, (await readdir(path.join(dir, 'support', c)))[0]!), path.join(three, c, 'a.png'));
  }
  const refused = await runCli(['adapt', three], client);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^maml: 422 CLASS_COUNT_UNSUPPORTED: the support set has 1 distinct label; model omniglot-5way takes 2 to 5 classes$/m);
});

test('exit codes: 2 for bad arguments and unusable folders, 3 for no server, 1 with a hint for 401 and 403', async () => {
  const usage = await runCli(['adapt'], client);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /missing required argument 'folder'/);
  const badSteps = await runCli(['adapt', '--steps', '0', dir], client);
  assert.equal(badSteps.code, 2);
  const noClasses = await runCli(['adapt', path.join(dir, 'support', characters[0]!)], client);
  assert.equal(noClasses.code, 2);
  assert.match(noClasses.stderr, /has no sub-folders/);
  const notUrl = await runCli(['--url', 'localhost:3000', 'models'], client);
  assert.equal(notUrl.code, 2);
  assert.match(notUrl.stderr, /--url \(MAML_URL\) must be an http\(s\) URL/);
  const closed = `http://127.0.0.1:${await freePort()}`;
  const unreachable = await runCli(['--retries', '1', 'models'], { MAML_URL: closed });
  assert.equal(unreachable.code, 3);
  assert.ok(unreachable.stderr.includes(`cannot reach ${closed} (ECONNREFUSED)`), unreachable.stderr);
  const noKey = await runCli(['models'], { MAML_URL: client.MAML_URL! });
  assert.equal(noKey.code, 1);
  assert.match(noKey.stderr, /401 UNAUTHORIZED: missing Authorization.*\n.*--key or MAML_API_KEY/);
  const forbidden = await runCli(['models', 'promote', 'omniglot-5way'], client);
  assert.equal(forbidden.code, 1);
  assert.match(forbidden.stderr, /403 FORBIDDEN: .*\n.*needs an admin key/);
  const missing = await runCli(['--url', client.MAML_URL!, 'models', 'show', 'no-such-model'], { MAML_API_KEY: client.MAML_API_KEY! });
  assert.equal(missing.code, 1, 'flags work as well as the environment');
  assert.match(missing.stderr, /404 MODEL_NOT_FOUND: model "no-such-model" not found/);
});

test('models list and promote (admin)', async () => {
  const list = await runCli(['models'], client);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^\s+id\s+name\s+version\s+status/);
  assert.match(list.stdout, /^\*\s+[0-9a-f-]{36}\s+omniglot-5way\s+v1\s+ready\s+maml\s+2–5-way\s+92\.2 % ± 0\.6\s/m);
  const shown = await runCli(['models', 'show', 'omniglot-5way'], client);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /test, each image alone\s+89\.6 % ± 0\.7/);
  const promoted = await runCli(['models', 'promote', 'omniglot-5way'], admin);
  assert.equal(promoted.code, 0, promoted.stderr);
  assert.match(promoted.stdout, /omniglot-5way v1 \([0-9a-f-]{36}\) is now the default model/);
});

test('keys create (the secret alone on stdout), list, revoke; a revoked key is refused', async () => {
  const created = await runCli(['keys', 'create', '--role', 'client', '--name', 'from the cli'], admin);
  assert.equal(created.code, 0, created.stderr);
  const key = created.stdout.trim();
  assert.match(key, /^mk_[A-Za-z0-9_-]{43}$/);
  const id = /created client key ([0-9a-f-]{36}) \(from the cli\)/.exec(created.stderr)?.[1];
  assert.ok(id, created.stderr);
  assert.equal((await runCli(['models'], { MAML_URL: admin.MAML_URL!, MAML_API_KEY: key })).code, 0);
  const list = await runCli(['keys', 'list'], admin);
  assert.match(list.stdout, new RegExp(`^${id}\\s+${key.slice(0, 10)}…\\s+client\\s+from the cli\\s+\\S+\\s+active$`, 'm'));
  assert.ok(!list.stdout.includes(key), 'no secret in the list');
  const revoked = await runCli(['keys', 'revoke', id], admin);
  assert.equal(revoked.code, 0, revoked.stderr);
  const refused = await runCli(['models'], { MAML_URL: admin.MAML_URL!, MAML_API_KEY: key });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /401 UNAUTHORIZED: unknown or revoked API key/);
  const notAdmin = await runCli(['keys', 'list'], client);
  assert.equal(notAdmin.code, 1);
});
