import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildZip, type ZipEntry } from '../testing/zip.ts';
import { encodeGrayPng } from '../testing/png.ts';
import { ChecksumMismatchError, DownloadDisabledError, DownloadError, ensureOmniglot, type DownloadProgress } from './download.ts';
import { OmniglotMissingError, type OmniglotSplit } from './layout.ts';
import { CorruptZipError, extractZip, UnsafeZipEntryError, ZipLimitError } from './zip.ts';

const work = await mkdtemp(path.join(tmpdir(), 'omniglot-download-'));
after(() => rm(work, { recursive: true, force: true }));

/** A tiny Omniglot split: 2 alphabets × 2 characters × 3 drawings, as distinct PNGs. */
function splitFiles(split: OmniglotSplit): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  let seed = split.length;
  for (const alphabet of ['Alpha', 'Beta'])
    for (const character of ['character01', 'character02'])
      for (let drawer = 1; drawer <= 3; drawer++) {
        const levels = Array.from({ length: 64 }, (_, i) => ((i * 7 + seed++) % 5 === 0 ? 0 : 1));
        files.set(`${split}/${alphabet}/${character}/00${drawer}_0${drawer}.png`, encodeGrayPng(8, 8, 1, levels));
      }
  return files;
}

/** The manifest digest computed independently of manifest.ts. */
function digestOf(files: Map<string, Uint8Array>): string {
  const lines = [...files].map(([name, data]) => `${name}\0${createHash('sha256').update(data).digest('hex')}\n`).sort();
  return createHash('sha256').update(lines.join('')).digest('hex');
}

const splits = { images_background: splitFiles('images_background'), images_evaluation: splitFiles('images_evaluation') };
const digests = { images_background: digestOf(splits.images_background), images_evaluation: digestOf(splits.images_evaluation) };

function zipOf(files: Map<string, Uint8Array>, extra: ZipEntry[] = []): Buffer {
  const dirs = new Set(
    [...files.keys()].flatMap((f) =>
      f
        .split('/')
        .slice(0, -1)
        .map((_, i, parts) => `${parts.slice(0, i + 1).join('/')}/`),
    ),
  );
  return buildZip([...[...dirs].map((name) => ({ name })), ...[...files].map(([name, data], i) => ({ name, data, deflate: i % 2 === 0 })), ...extra]);
}

const served = new Map<string, Buffer | number>();
const requests: string[] = [];
const server = createServer((req, res) => {
  requests.push(req.url ?? '');
  const body = served.get(req.url ?? '');
  if (body === undefined || typeof body === 'number') {
    res.writeHead(typeof body === 'number' ? body : 404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/zip', 'content-length': body.length }).end(body);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
after(() => server.close());
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/omniglot`;

function serve(background: Buffer | number, evaluation: Buffer | number): void {
  served.set('/omniglot/images_background.zip', background);
  served.set('/omniglot/images_evaluation.zip', evaluation);
  requests.length = 0;
}

async function leftovers(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.includes('.download-'));
}

test('downloads, verifies and moves both splits into place; a second call does nothing', async () => {
  serve(zipOf(splits.images_background, [{ name: '__MACOSX/', mode: 0o040755 }]), zipOf(splits.images_evaluation));
  const target = path.join(work, 'full', 'omniglot');
  const progress: DownloadProgress[] = [];
  const downloaded = await ensureOmniglot(target, { download: true, baseUrl, expectedDigests: digests, onProgress: (p) => progress.push(p) });
  assert.deepEqual(downloaded, ['images_background', 'images_evaluation']);
  for (const files of Object.values(splits)) {
    for (const [name, data] of files) assert.deepEqual(new Uint8Array(await readFile(path.join(target, name))), data);
  }
  assert.deepEqual((await readdir(target)).sort(), ['images_background', 'images_evaluation']);
  const lastDownload = progress.filter((p) => p.phase === 'download' && p.split === 'images_evaluation').at(-1)!;
  assert.equal(lastDownload.done, lastDownload.total);
  assert.ok(progress.some((p) => p.phase === 'extract') && progress.some((p) => p.phase === 'verify' && p.done === 1));
  assert.deepEqual(await leftovers(path.dirname(target)), []);
  requests.length = 0;
  assert.deepEqual(await ensureOmniglot(target, { download: true, baseUrl, expectedDigests: digests }), []);
  assert.deepEqual(requests, []);
});

test('only the missing split is fetched into an existing directory', async () => {
  serve(404, zipOf(splits.images_evaluation));
  const target = path.join(work, 'partial');
  await mkdir(path.join(target, 'images_background', 'Alpha', 'character01'), { recursive: true });
  assert.deepEqual(await ensureOmniglot(target, { download: true, baseUrl, expectedDigests: digests }), ['images_evaluation']);
  assert.deepEqual(requests, ['/omniglot/images_evaluation.zip']);
});

test('the staging folder is inside the target (a volume mounted there: the rename never crosses file systems)', async () => {
  serve(zipOf(splits.images_background), zipOf(splits.images_evaluation));
  const parent = path.join(work, 'mounted');
  const target = path.join(parent, 'omniglot');
  await mkdir(target, { recursive: true }); // as a compose volume: the target exists, empty
  await mkdir(path.join(target, '.download-stale'));
  const old = new Date(Date.now() - 7 * 3600_000);
  await utimes(path.join(target, '.download-stale'), old, old);
  const seen: { inTarget: string[]; inParent: string[] }[] = [];
  let pending: Promise<void> = Promise.resolve();
  await ensureOmniglot(target, {
    download: true,
    baseUrl,
    expectedDigests: digests,
    onProgress: (p) => {
      if (p.phase === 'verify' && p.done === 0)
        pending = pending.then(async () => void seen.push({ inTarget: await leftovers(target), inParent: await leftovers(parent) }));
    },
  });
  await pending;
  assert.ok(seen.length > 0);
  for (const { inTarget, inParent } of seen) {
    assert.equal(inTarget.length, 1, `one staging folder inside the target: ${inTarget}`);
    assert.deepEqual(inParent, []);
  }
  assert.deepEqual((await readdir(target)).sort(), ['images_background', 'images_evaluation'], 'staging and the stale one removed');
});

test('without permission to download a missing directory is an error naming the splits', async () => {
  await assert.rejects(
    ensureOmniglot(path.join(work, 'absent'), { download: false }),
    (e: unknown) =>
      e instanceof DownloadDisabledError &&
      e instanceof OmniglotMissingError &&
      e.missing.length === 2 &&
      /OMNIGLOT_DIR .*OMNIGLOT_DOWNLOAD=true.*restart the worker/.test(e.message),
  );
});

test('a corrupt, tampered or failed download is refused and leaves nothing behind', async () => {
  const parent = path.join(work, 'refused');
  await mkdir(parent);
  const target = path.join(parent, 'omniglot');
  const good = zipOf(splits.images_background);
  serve(good.subarray(0, good.length - 40), zipOf(splits.images_evaluation));
  await assert.rejects(ensureOmniglot(target, { download: true, baseUrl, expectedDigests: digests }), CorruptZipError);
  const tampered = new Map(splits.images_background);
  tampered.set('images_background/Alpha/character01/001_01.png', encodeGrayPng(8, 8, 1, new Array(64).fill(1)));
  serve(zipOf(tampered), zipOf(splits.images_evaluation));
  await assert.rejects(
    ensureOmniglot(target, { download: true, baseUrl, expectedDigests: digests }),
    (e: unknown) =>
      e instanceof ChecksumMismatchError && e.split === 'images_background' && e.expected === digests.images_background && e.actual === digestOf(tampered),
  );
  serve(zipOf(splits.images_background), 503);
  await assert.rejects(
    ensureOmniglot(target, { download: true, baseUrl, expectedDigests: digests }),
    (e: unknown) => e instanceof DownloadError && e.status === 503,
  );
  assert.deepEqual(await readdir(parent), [], 'no target and no staging folder');
});

test('zip-slip, absolute paths, symlinks and oversized archives are refused', async () => {
  const hostile: [string, ZipEntry][] = [
    ['parent traversal', { name: 'images_background/../../evil.png', data: new Uint8Array([1]) }],
    ['absolute path', { name: path.join(work, 'evil-absolute.png'), data: new Uint8Array([1]) }],
    ['backslash traversal', { name: '..\\..\\evil-backslash.png', data: new Uint8Array([1]) }],
    ['symlink', { name: 'images_background/link', data: Buffer.from('/etc/passwd'), mode: 0o120777 }],
  ];
  for (const [label, entry] of hostile) {
    const dir = await mkdtemp(path.join(work, 'slip-'));
    const zip = path.join(dir, 'x.zip');
    await writeFile(zip, buildZip([{ name: 'images_background/ok.png', data: new Uint8Array([1, 2]) }, entry]));
    await assert.rejects(extractZip(zip, path.join(dir, 'out')), (e: unknown) => e instanceof UnsafeZipEntryError && e.entry.length > 0, label);
  }
  assert.deepEqual(
    (await readdir(work)).filter((n) => n.startsWith('evil')),
    [],
  );
  serve(buildZip([{ name: 'images_background/../../escaped.png', data: new Uint8Array([1]) }]), zipOf(splits.images_evaluation));
  const target = path.join(work, 'slip-target', 'omniglot');
  await assert.rejects(ensureOmniglot(target, { download: true, baseUrl, expectedDigests: digests }), UnsafeZipEntryError);
  assert.deepEqual(await readdir(path.join(work, 'slip-target')), []);
  const big = path.join(work, 'big.zip');
  await writeFile(big, buildZip([{ name: 'a.bin', data: new Uint8Array(5000), deflate: true }]));
  await assert.rejects(extractZip(big, path.join(work, 'big-out'), { maxBytes: 1000 }), (e: unknown) => e instanceof ZipLimitError && e.max === 1000);
});
