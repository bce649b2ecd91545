/**
 * `npm run test:compose`: the compose drill. Builds the image and runs docker-compose.yml as a user
 * would, checking what broke before (issue 16): health through the proxy, a key from `exec -T`,
 * /adapt and /predict with real Omniglot PNGs, a training job that `stop worker` hands back with a
 * checkpoint and `start worker` resumes, `stop api` finishing in-flight requests, `--scale api=2`
 * spreading requests, Omniglot downloaded onto its volume from a local HTTP source, `down` + `up`
 * keeping models, keys and sessions, and the GPU override's runtime stage on a base without node
 * starting migrate, api and worker (CPU fallback). Prints each step's time and the image size.
 *
 * Needs a Docker engine and the base images (CI: ../shared/docker/engine.sh and base-images.sh
 * first) and ../shared/data/omniglot (OMNIGLOT_DIR overrides). Environment: DRILL_PORT (host port of
 * the proxy; default a free one), DRILL_TFJS_PACKAGE (default empty: the wasm-only image, as
 * libtensorflow cannot be downloaded everywhere), DRILL_KEEP=1 (leave the stack up on failure),
 * DRILL_SKIP_BUILD=1 (use the maml-service:latest already built), DRILL_TIMEOUT_MS (watchdog, default
 * 30 min). A failure prints the error, `compose ps` and the last log lines of each service.
 * Invariants: its own compose project names (mamldrill, mamldrill-gpu), removed with their volumes
 * at the end; never touches another project's containers or volumes.
 */
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { buildZip, type ZipEntry } from '../../src/data/testing/zip.ts';
import { freePort, ROOT } from '../helpers/processes.ts';

const OMNIGLOT = process.env.OMNIGLOT_DIR ?? path.resolve(ROOT, '../shared/data/omniglot');
const WORK = path.join(ROOT, '.data', 'compose-drill');
const PROJECT = 'mamldrill';
const GPU_PROJECT = 'mamldrill-gpu';
const IMAGE = 'maml-service:latest';
const NO_NODE_BASE = 'maml-drill/no-node-base:latest';
const MAX_IMAGE_BYTES = 500e6;
const tfjsPackage = process.env.DRILL_TFJS_PACKAGE ?? '';

const useV2 = spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0;
const port = Number(process.env.DRILL_PORT ?? (await freePort()));
const gpuPort = await freePort();
const env = {
  ...process.env,
  DOCKER_BUILDKIT: '0',
  COMPOSE_DOCKER_CLI_BUILD: '0',
  TFJS_PACKAGE: tfjsPackage,
  MAML_PORT: String(port),
  OMNIGLOT_URL: 'http://omniglot-source:8000/omniglot',
};
const base = `http://127.0.0.1:${port}`;

function run(
  command: string,
  args: readonly string[],
  options: { allowFail?: boolean; input?: string; env?: NodeJS.ProcessEnv } = {},
): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, {
    cwd: ROOT,
    env: options.env ?? env,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    ...(options.input ? { input: options.input } : {}),
  });
  if (result.status !== 0 && !options.allowFail) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}\n${(result.stdout ?? '').slice(-4000)}\n${(result.stderr ?? '').slice(-4000)}`);
  }
  return result;
}

const composeFiles = (...files: string[]) => files.flatMap((f) => ['-f', f]);
const mainFiles = composeFiles('docker-compose.yml', path.join(WORK, 'drill.yml'));
function compose(args: readonly string[], options: { allowFail?: boolean; project?: string; files?: string[]; env?: NodeJS.ProcessEnv } = {}) {
  const full = ['-p', options.project ?? PROJECT, ...(options.files ?? mainFiles), ...args];
  return useV2 ? run('docker', ['compose', ...full], options) : run('docker-compose', full, options);
}

const timings: [string, number][] = [];
async function step<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
  const started = Date.now();
  process.stdout.write(`-- ${name}\n`);
  const result = await fn();
  const seconds = (Date.now() - started) / 1000;
  timings.push([name, seconds]);
  process.stdout.write(`   ok (${seconds.toFixed(1)} s)\n`);
  return result;
}

/**
 * A promise that rejects after `ms` on a referenced timer. AbortSignal.timeout's timer is unref'd, so
 * on its own it cannot keep the process alive: a fetch left waiting on an unref'd socket then ends the
 * drill with Node's exit code 13 ("unsettled top-level await") and no message (CI, stop 22).
 */
function within<T>(what: string, ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined, everyMs = 1000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await within(what, Math.min(30_000, timeoutMs), Promise.resolve().then(probe));
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000} s${last ? ` (last: ${(last as Error).message})` : ''}`);
}

let key = '';
async function api(method: string, url: string, body?: unknown, origin = base): Promise<{ status: number; json: any }> {
  const init: RequestInit = { method, headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(120_000) };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  return within(
    `${method} ${url}`,
    150_000,
    (async () => {
      const res = await fetch(`${origin}${url}`, init);
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : null };
    })(),
  );
}

/** Every probe reads its whole body: a response left unread holds its connection (undici). */
const healthy = (origin = base) =>
  until(`${origin}/healthz answers 200 through the proxy`, 240_000, async () => {
    const res = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return res.ok ? true : undefined;
  });

/** The support set of the README's example: one drawing of five Manipuri characters. */
const MANIPURI = path.join(OMNIGLOT, 'images_evaluation', 'Manipuri');
const LABELS = ['ka', 'kha', 'ga', 'gha', 'nga'];
function supportForm(steps?: number): FormData {
  const form = new FormData();
  form.append('labels', JSON.stringify(LABELS));
  if (steps) form.append('steps', String(steps));
  LABELS.forEach((_, i) => {
    const dir = path.join(MANIPURI, `character0${i + 1}`);
    const file = readdirSync(dir).sort()[0]!;
    form.append('images', new Blob([readFileSync(path.join(dir, file))], { type: 'image/png' }), file);
  });
  return form;
}

/** Zips of the two splits, as the official source serves them (made once, kept in WORK). */
function omniglotZips(): void {
  const dir = path.join(WORK, 'omniglot');
  mkdirSync(dir, { recursive: true });
  for (const split of ['images_background', 'images_evaluation']) {
    const zip = path.join(dir, `${split}.zip`);
    if (existsSync(zip)) continue;
    const entries: ZipEntry[] = [];
    const walk = (rel: string) => {
      const abs = path.join(OMNIGLOT, rel);
      if (statSync(abs).isDirectory()) {
        entries.push({ name: `${rel}/` });
        for (const name of readdirSync(abs).sort()) walk(`${rel}/${name}`);
      } else entries.push({ name: rel, data: readFileSync(abs) });
    };
    walk(split);
    writeFileSync(`${zip}.tmp`, buildZip(entries));
    run('mv', [`${zip}.tmp`, zip]);
  }
}

/** The drill's additions to docker-compose.yml: a local HTTP source of the Omniglot zips. */
function writeOverride(): void {
  const server =
    "const h=require('http'),fs=require('fs'),p=require('path');" +
    "h.createServer((q,r)=>{const f=p.join('/srv',p.normalize(decodeURIComponent(q.url.split('?')[0])));" +
    "fs.stat(f,(e,s)=>{if(e||!s.isFile()||!f.startsWith('/srv/')){r.writeHead(404).end();return}" +
    "r.writeHead(200,{'content-type':'application/zip','content-length':s.size});fs.createReadStream(f).pipe(r)})}).listen(8000)";
  const override = {
    version: parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')).version,
    services: {
      'omniglot-source': {
        image: IMAGE,
        command: ['node', '-e', server],
        volumes: [`${path.join(WORK, 'omniglot')}:/srv/omniglot:ro`],
        healthcheck: { disable: true },
      },
    },
  };
  if (override.version === undefined) delete (override as { version?: unknown }).version;
  writeFileSync(path.join(WORK, 'drill.yml'), stringify(override));
}

function logs(service: string, project = PROJECT, files = mainFiles): string {
  return compose(['logs', '--no-color', service], { project, files }).stdout;
}

async function main(): Promise<void> {
  const started = Date.now();
  mkdirSync(WORK, { recursive: true });
  assert.ok(existsSync(MANIPURI), `Omniglot not found at ${OMNIGLOT} (set OMNIGLOT_DIR)`);
  writeOverride();
  compose(['down', '-v', '--remove-orphans'], { allowFail: true });

  const imageBytes = await step(`build the image (classic builder, TFJS_PACKAGE=${JSON.stringify(tfjsPackage)})`, () => {
    if (!process.env.DRILL_SKIP_BUILD) run('docker', ['build', '--build-arg', `TFJS_PACKAGE=${tfjsPackage}`, '-t', IMAGE, '.']);
    const bytes = Number(run('docker', ['image', 'inspect', '-f', '{{.Size}}', IMAGE]).stdout.trim());
    process.stdout.write(`   image ${IMAGE}: ${(bytes / 1e6).toFixed(0)} MB\n`);
    if (!tfjsPackage) assert.ok(bytes <= MAX_IMAGE_BYTES, `the CPU image is ${(bytes / 1e6).toFixed(0)} MB, over ${MAX_IMAGE_BYTES / 1e6} MB`);
    const shipped = run('docker', [
      'run',
      '--rm',
      '--entrypoint',
      'sh',
      IMAGE,
      '-c',
      'ls /app; ls /app/models; ls /app/node_modules | grep -cx "tsx\\|typescript\\|prisma\\|vite" || true',
    ]).stdout;
    assert.doesNotMatch(shipped, /^(src|test|bench|scripts|web)$/m, `only what runs is shipped:\n${shipped}`);
    assert.doesNotMatch(shipped, /^training$|config\.json/m, `no training runs or configs in /app/models:\n${shipped}`);
    assert.match(shipped, /^0$/m, 'no tsx, typescript, prisma or vite in node_modules');
    return bytes;
  });
  await step('omniglot zips for the local source', omniglotZips);

  await step('docker compose up -d; /healthz through the proxy', async () => {
    compose(['up', '-d', '--no-build']);
    await healthy();
    const ps = compose(['ps']).stdout;
    assert.match(ps, /migrate.*Exit 0|migrate.*exited \(0\)/i, `migrate ran once and exited 0:\n${ps}`);
    // node is PID 1 in every app container (signals reach it).
    for (const service of ['api', 'worker']) {
      const cmd = compose(['exec', '-T', service, 'cat', '/proc/1/cmdline']).stdout.replace(/\0/g, ' ').trim();
      assert.match(cmd, /^node dist\/src\/(api\/server|worker\/worker)\.js$/, `${service} PID 1: ${cmd}`);
    }
  });

  await step('a key from docker compose exec -T', () => {
    key = compose(['exec', '-T', 'api', 'node', 'dist/scripts/keys-create.js', '--role', 'admin']).stdout.trim();
    assert.match(key, /^mk_/);
    assert.doesNotMatch(logs('api'), /npm (ERR|WARN)|update-notifier|_logs/i, 'no npm at start');
  });

  const sessionId = await step('/adapt and /predict with real PNGs', async () => {
    const adapt = await api('POST', '/adapt', supportForm());
    assert.equal(adapt.status, 201, JSON.stringify(adapt.json));
    const form = new FormData();
    form.append('sessionId', adapt.json.sessionId);
    form.append('images', new Blob([readFileSync(path.join(MANIPURI, 'character03', '1321_13.png'))]), '1321_13.png');
    const predict = await api('POST', '/predict', form);
    assert.equal(predict.status, 200, JSON.stringify(predict.json));
    assert.equal(predict.json.predictions[0].label, 'ga');
    return adapt.json.sessionId as string;
  });

  const short = { dataset: 'sinusoid', evalEvery: 1000, evalTasks: 10, testTasks: 10 };
  const modelId = await step('a training job; stop worker hands it back; start worker resumes it from its checkpoint', async () => {
    const created = await api('POST', '/training-jobs', { ...short, name: 'drill-handback', iterations: 1_000_000, checkpointEvery: 1_000_000 });
    assert.equal(created.status, 202, JSON.stringify(created.json));
    const id = created.json.jobId as string;
    await until('the job runs', 180_000, async () => ((await api('GET', `/training-jobs/${id}`)).json.progress?.iteration >= 20 ? true : undefined));
    compose(['stop', 'worker']);
    const stopped = logs('worker');
    const handedBack = /training job handed back at iteration (\d+)/.exec(stopped);
    assert.ok(handedBack, `a clean hand-back in the worker's log:\n${stopped.slice(-3000)}`);
    assert.match(stopped, /shut down cleanly/);
    const row = await api('GET', `/training-jobs/${id}`);
    assert.equal(row.json.status, 'queued', 'back in the queue');
    compose(['start', 'worker']);
    await until('the job resumes from its checkpoint', 180_000, () => {
      const resumed = /resuming at iteration (\d+) from checkpoint/.exec(logs('worker'));
      return resumed ? Number(resumed[1]) : undefined;
    }).then((iteration) => assert.equal(iteration, Number(handedBack[1])));
    assert.equal((await api('DELETE', `/training-jobs/${id}`)).status, 202);
    await until('the cancelled job stops', 120_000, async () => ((await api('GET', `/training-jobs/${id}`)).json.status === 'cancelled' ? true : undefined));
    // A short job that completes: its model must outlive `down` and `up`.
    const done = await api('POST', '/training-jobs', { ...short, name: 'drill-model', iterations: 30, evalEvery: 30 });
    assert.equal(done.status, 202, JSON.stringify(done.json));
    return until('the short job completes', 300_000, async () => {
      const job = (await api('GET', `/training-jobs/${done.json.jobId}`)).json;
      assert.notEqual(job.status, 'failed', job.error);
      return job.status === 'completed' ? (job.modelId as string) : undefined;
    });
  });

  await step('docker compose stop api finishes the requests in flight', async () => {
    const inFlight = Array.from({ length: 6 }, () => api('POST', '/adapt', supportForm(30)).catch((error: Error) => ({ status: 0, json: error.message })));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    compose(['stop', 'api']);
    const answers = await Promise.all(inFlight);
    assert.deepEqual(
      answers.map((a) => a.status),
      answers.map(() => 201),
      JSON.stringify(answers.filter((a) => a.status !== 201)),
    );
    assert.match(logs('api'), /shut down cleanly/);
    compose(['start', 'api']);
    await healthy();
  });

  await step('--scale api=2 spreads requests over both replicas', async () => {
    compose(['up', '-d', '--no-build', '--scale', 'api=2']);
    const seen = await until('both replicas answer through the proxy', 180_000, async () => {
      const instances = new Set<string>();
      for (let i = 0; i < 10; i++) instances.add(((await (await fetch(`${base}/healthz`)).json()) as { instance: string }).instance);
      return instances.size === 2 ? instances : undefined;
    });
    assert.equal(seen.size, 2);
    compose(['up', '-d', '--no-build', '--scale', 'api=1']);
    await healthy();
    // The proxy resolves the replicas every `refresh` (deploy/Caddyfile): until then it may still send
    // a request to the removed one (a GET is retried elsewhere, a POST answers 502).
    const refresh = Number(/refresh (\d+)s/.exec(readFileSync(path.join(ROOT, 'deploy', 'Caddyfile'), 'utf8'))?.[1] ?? 5);
    await new Promise((resolve) => setTimeout(resolve, (refresh + 1) * 1000));
  });

  await step('Omniglot downloaded onto its volume from a local HTTP source', async () => {
    compose(['up', '-d', '--no-build', 'omniglot-source']);
    const created = await api('POST', '/training-jobs', { ...short, dataset: 'omniglot', name: 'drill-omniglot', iterations: 2, evalEvery: 2 });
    assert.equal(created.status, 202, JSON.stringify(created.json));
    await until(
      'both splits on the omniglot volume',
      300_000,
      () => {
        const listing = compose(['exec', '-T', 'worker', 'ls', '-A', '/data/omniglot'], { allowFail: true }).stdout;
        return /images_background/.test(listing) && /images_evaluation/.test(listing) && !/\.download-/.test(listing) ? listing : undefined;
      },
      3000,
    );
    const job = (await api('GET', `/training-jobs/${created.json.jobId}`)).json;
    assert.notEqual(job.status, 'failed', job.error);
    assert.match(logs('worker'), /loading dataset omniglot/);
    await api('DELETE', `/training-jobs/${created.json.jobId}`);
  });

  await step('docker compose down, then up: models, keys and sessions kept', async () => {
    compose(['down']);
    compose(['up', '-d', '--no-build']);
    await healthy();
    const model = await api('GET', `/models/${modelId}`);
    assert.equal(model.status, 200, `the trained model: ${JSON.stringify(model.json)}`);
    const session = await api('GET', `/sessions/${sessionId}`);
    assert.equal(session.status, 200, `the session: ${JSON.stringify(session.json)}`);
    assert.deepEqual(session.json.labels, LABELS);
  });
  compose(['down', '-v', '--remove-orphans']);

  await step('GPU override: runtime stage on a base without node; migrate, api and worker start (CPU fallback)', async () => {
    run('docker', ['build', '-t', NO_NODE_BASE, '-'], {
      input:
        'FROM node:20-bookworm-slim\n' +
        'RUN rm -rf /usr/local/bin/node /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/lib/node_modules /usr/local/include/node\n' +
        'ENTRYPOINT []\nCMD ["bash"]\n',
    });
    const gpuEnv = { ...env, MAML_GPU_BASE: NO_NODE_BASE, MAML_PORT: String(gpuPort) };
    // The merged files, less the NVIDIA device reservation (no GPU runtime here).
    const merged = parse(
      compose(['config'], { project: GPU_PROJECT, files: composeFiles('docker-compose.yml', 'docker-compose.gpu.yml'), env: gpuEnv }).stdout,
    );
    for (const service of Object.values(merged.services as Record<string, Record<string, unknown>>)) delete service.deploy;
    const file = path.join(WORK, 'gpu-merged.json');
    writeFileSync(file, JSON.stringify(merged, null, 2)); // JSON: every string quoted (PyYAML reads a bare no or yes as a boolean)
    const files = composeFiles(file);
    compose(['build', 'api'], { project: GPU_PROJECT, files, env: gpuEnv });
    const noNode = run('docker', ['run', '--rm', '--entrypoint', 'sh', NO_NODE_BASE, '-c', 'command -v node npm || echo none']).stdout.trim();
    assert.equal(noNode, 'none', 'the stand-in base has no node or npm');
    compose(['up', '-d', '--no-build'], { project: GPU_PROJECT, files, env: gpuEnv });
    await healthy(`http://127.0.0.1:${gpuPort}`);
    await until('the GPU worker is ready', 120_000, () => (/worker ready/.test(logs('worker', GPU_PROJECT, files)) ? true : undefined));
    const ps = compose(['ps'], { project: GPU_PROJECT, files }).stdout;
    assert.match(ps, /migrate.*Exit 0|migrate.*exited \(0\)/i, ps);
    compose(['down', '-v', '--remove-orphans'], { project: GPU_PROJECT, files, env: gpuEnv });
  });

  const total = (Date.now() - started) / 1000;
  process.stdout.write(`\ncompose drill passed in ${total.toFixed(0)} s; image ${(imageBytes / 1e6).toFixed(0)} MB\n`);
  for (const [name, seconds] of timings) process.stdout.write(`  ${seconds.toFixed(1).padStart(7)} s  ${name}\n`);
}

/** What a failed drill prints after its error: the containers' states and the last of their logs. */
function diagnose(): void {
  const ps = compose(['ps'], { allowFail: true });
  process.stderr.write(`\n-- docker compose ps\n${ps.stdout}${ps.stderr}`);
  for (const service of ['proxy', 'api', 'worker', 'migrate']) {
    const tail = compose(['logs', '--no-color', '--tail', '40', service], { allowFail: true });
    process.stderr.write(`\n-- logs ${service} (last 40 lines)\n${tail.stdout}${tail.stderr}`);
  }
}

function fail(error: unknown): never {
  process.stderr.write(`\ncompose drill FAILED: ${error instanceof Error ? error.stack : String(error)}\n`);
  diagnose();
  if (!process.env.DRILL_KEEP) {
    compose(['down', '-v', '--remove-orphans'], { allowFail: true });
    const gpuFile = path.join(WORK, 'gpu-merged.json');
    if (existsSync(gpuFile)) compose(['down', '-v', '--remove-orphans'], { allowFail: true, project: GPU_PROJECT, files: composeFiles(gpuFile) });
  }
  process.exit(1);
}

// A referenced watchdog: the drill ends with a message and the stack's logs, never silently.
const WATCHDOG_MS = Number(process.env.DRILL_TIMEOUT_MS ?? 30 * 60_000);
const watchdog = setTimeout(() => fail(new Error(`the drill did not finish within ${WATCHDOG_MS / 60_000} min`)), WATCHDOG_MS);
try {
  await main();
  clearTimeout(watchdog);
} catch (error) {
  fail(error);
}
