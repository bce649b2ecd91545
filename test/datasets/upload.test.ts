import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { deflateRawSync } from 'node:zlib';
import { createApiKey } from '../../src/api/auth/api-keys.ts';
import { preprocessImage } from '../../src/data/image/preprocess.ts';
import { createPendingDataset, INGESTION_STALE_MS, loadDataset } from '../../src/shared/datasets/repository.ts';
import { encodeGrayPng } from '../../src/data/testing/png.ts';
import { buildTestApp, createTestDatabase, type TestApp } from '../helpers/env.ts';
import { folderEntries, markEncrypted, multipart, png, upload, zipOf } from './fixtures.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let testApp: TestApp;
let limited: TestApp;
let admin: Record<string, string>;

before(async () => {
  database = await createTestDatabase();
  testApp = await buildTestApp(database.url);
  limited = await buildTestApp(database.url, {
    DATASET_MAX_ARCHIVE_BYTES: '20000',
    DATASET_MAX_ENTRIES: '40',
    DATASET_MAX_UNCOMPRESSED_BYTES: '30000',
    DATASET_MAX_PREPROCESSED_BYTES: '20000',
  });
  admin = { authorization: `Bearer ${(await createApiKey(testApp.db, 'admin')).key}` };
});

after(async () => {
  await testApp.deps.trainingQueue.obliterate({ force: true }).catch(() => undefined);
  await limited.close();
  await testApp.close();
  await database.drop();
});

async function post(zip: Uint8Array, app = testApp, extra: Record<string, string> = {}) {
  const body = upload(zip, 'test-set', extra);
  return app.app.inject({ method: 'POST', url: '/datasets', headers: { ...admin, ...body.headers }, payload: body.payload });
}

/** Accepted (202, status processing, a Location), then ingested: the row as GET /datasets/:id shows it after. */
async function ingested(zip: Uint8Array, app = testApp, extra: Record<string, string> = {}) {
  const res = await post(zip, app, extra);
  assert.equal(res.statusCode, 202, res.body);
  assert.equal(res.json().status, 'processing');
  assert.equal(res.headers.location, `/datasets/${res.json().id}`);
  await app.deps.ingestion.settled();
  return (await app.app.inject({ method: 'GET', url: `/datasets/${res.json().id}`, headers: admin })).json();
}

/** Accepted, then refused while its images were read: status failed, with the reason. */
async function failed(zip: Uint8Array, code: string, app = testApp): Promise<Record<string, unknown>> {
  const row = await ingested(zip, app);
  assert.equal(row.status, 'failed', JSON.stringify(row));
  assert.equal(row.error.code, code, JSON.stringify(row));
  assert.equal(row.artifact, null);
  return row.error;
}

async function refused(zip: Uint8Array, status: number, code: string, app = testApp): Promise<Record<string, unknown>> {
  const res = await post(zip, app);
  assert.equal(res.statusCode, status, res.body);
  assert.equal(res.json().error.code, code, res.body);
  return res.json().error;
}

test('a zip of class folders is stored: row, artifact, and loadDataset gives the preprocessed images', async () => {
  const entries = [
    { name: 'class0/', mode: 0o040755 },
    ...folderEntries(5, 3),
    { name: '__MACOSX/class0/._img0.png', data: new Uint8Array([0, 5, 22]) },
    { name: 'class1/.DS_Store', data: new Uint8Array([1]) },
  ];
  const body = await ingested(zipOf(entries));
  assert.equal(body.status, 'ready');
  assert.equal(body.error, null);
  assert.equal(body.layout, 'folders');
  assert.deepEqual([body.classes, body.images, body.imagesPerClass], [5, 15, { min: 3, max: 3 }]);
  assert.deepEqual(body.preprocessing, { size: 28, channels: 1, invert: true, resize: 'area', normalisation: { mean: 0, std: 1 } });
  assert.ok(await testApp.deps.store.has(body.artifact.sha256));

  const loaded = await loadDataset(testApp.db, testApp.deps.store, body.id);
  assert.deepEqual([loaded.height, loaded.width, loaded.channels, loaded.classes.length], [28, 28, 1, 5]);
  assert.deepEqual(loaded.classNames, ['class0', 'class1', 'class2', 'class3', 'class4']);
  assert.deepEqual(Array.from(loaded.classes[2]!), [6, 7, 8]);
  const expected = await preprocessImage(png(201), { size: 28, channels: 1, invert: true });
  assert.deepEqual(loaded.images.subarray(7 * 784, 8 * 784), expected, 'class2/img1.png is image 7');

  const one = await testApp.app.inject({ method: 'GET', url: `/datasets/${body.id}`, headers: admin });
  assert.deepEqual(one.json(), body);
  const list = await testApp.app.inject({ method: 'GET', url: '/datasets', headers: admin });
  assert.ok(list.json().datasets.some((d: { id: string }) => d.id === body.id));
});

test('the Omniglot layout (under images_background/, wrapped in a folder) and RGB preprocessing', async () => {
  const entries = [];
  for (const alphabet of ['Latin', 'Greek']) {
    for (let c = 0; c < 3; c++) {
      for (let k = 0; k < 2; k++)
        entries.push({ name: `omniglot/images_background/${alphabet}/character0${c}/${k}.png`, data: png(c * 10 + k + alphabet.length) });
    }
  }
  const row = await ingested(zipOf(entries), testApp, { size: '16', channels: '3', invert: 'false' });
  assert.equal(row.layout, 'omniglot');
  assert.deepEqual(row.preprocessing.size, 16);
  const loaded = await loadDataset(testApp.db, testApp.deps.store, row.id);
  assert.deepEqual(loaded.classNames.slice(0, 2), ['Greek/character00', 'Greek/character01']);
  assert.equal(loaded.images.length, 12 * 16 * 16 * 3);
});

test('identical uploads share one artifact; it is deleted with the last dataset that uses it', async () => {
  const zip = zipOf(folderEntries(6, 2));
  const [a, b] = [await ingested(zip), await ingested(zip)];
  assert.notEqual(a.id, b.id);
  assert.equal(a.artifact.sha256, b.artifact.sha256);
  assert.equal((await testApp.app.inject({ method: 'DELETE', url: `/datasets/${a.id}`, headers: admin })).statusCode, 204);
  assert.ok(await testApp.deps.store.has(b.artifact.sha256));
  assert.equal((await testApp.app.inject({ method: 'DELETE', url: `/datasets/${b.id}`, headers: admin })).statusCode, 204);
  assert.equal(await testApp.deps.store.has(b.artifact.sha256), false);
  const gone = await testApp.app.inject({ method: 'DELETE', url: `/datasets/${b.id}`, headers: admin });
  assert.equal(gone.statusCode, 404);
  assert.equal(gone.json().error.code, 'DATASET_NOT_FOUND');
});

test('a dataset used by a queued or running job cannot be deleted (409); a training config accepts its id', async () => {
  const { id } = await ingested(zipOf(folderEntries(5, 2)));
  await testApp.deps.trainingQueue.pause();
  const submitted = await testApp.app.inject({ method: 'POST', url: '/training-jobs', headers: admin, payload: { dataset: id, iterations: 10 } });
  assert.equal(submitted.statusCode, 202, submitted.body);
  assert.equal(submitted.json().config.dataset, id);
  assert.equal(submitted.json().config.rotations, false, 'no 90° rotations for uploads unless asked');
  const jobId = submitted.json().jobId;
  const res = await testApp.app.inject({ method: 'DELETE', url: `/datasets/${id}`, headers: admin });
  assert.equal(res.statusCode, 409);
  assert.equal(res.json().error.code, 'DATASET_IN_USE');
  assert.deepEqual(res.json().error.details.jobIds, [jobId]);
  await testApp.db.trainingJob.update({ where: { id: jobId }, data: { status: 'running' } });
  assert.equal((await testApp.app.inject({ method: 'DELETE', url: `/datasets/${id}`, headers: admin })).statusCode, 409);
  await testApp.db.trainingJob.update({ where: { id: jobId }, data: { status: 'completed' } });
  assert.equal((await testApp.app.inject({ method: 'DELETE', url: `/datasets/${id}`, headers: admin })).statusCode, 204);
  const unknown = await testApp.app.inject({ method: 'POST', url: '/training-jobs', headers: admin, payload: { dataset: 'imagenet' } });
  assert.equal(unknown.statusCode, 400);
  assert.match(unknown.json().error.message, /dataset/);
});

test('unsafe archives are refused (400) naming the entry', async () => {
  const good = folderEntries(5, 2);
  for (const name of ['../evil.png', '/etc/evil.png', 'class0/../../evil.png', '..\\evil.png', 'C:/evil.png']) {
    const error = await refused(zipOf([...good, { name, data: png(1) }]), 400, 'UNSAFE_ARCHIVE_ENTRY');
    assert.ok(String(error.message).includes('refusing archive entry'), name);
  }
  const link = await refused(zipOf([...good, { name: 'class0/link.png', data: Buffer.from('/etc/passwd'), mode: 0o120777 }]), 400, 'UNSAFE_ARCHIVE_ENTRY');
  assert.deepEqual(link.details, { entry: 'class0/link.png', reason: 'symbolic link' });
  await refused(zipOf([...good, { name: 'class0/fifo.png', data: new Uint8Array(0), mode: 0o010644 }]), 400, 'UNSAFE_ARCHIVE_ENTRY');
  await refused(markEncrypted(zipOf(good)), 400, 'UNSAFE_ARCHIVE_ENTRY');
  await refused(zipOf([...good, good[0]!]), 400, 'INVALID_ARCHIVE');
  await refused(Buffer.from('this is not a zip archive at all, just text'), 400, 'INVALID_ARCHIVE');
  const truncated = zipOf(good);
  await refused(truncated.subarray(0, truncated.length - 30), 400, 'INVALID_ARCHIVE');
});

test('zip bombs and oversized archives are refused (413) before anything is inflated', async () => {
  const zeros = new Uint8Array(1 << 20);
  const bomb = await refused(zipOf([...folderEntries(5, 2), { name: 'class0/bomb.png', data: zeros, deflate: true }]), 413, 'ARCHIVE_COMPRESSION_RATIO');
  assert.equal((bomb.details as { uncompressedBytes: number }).uncompressedBytes, 1 << 20);
  assert.ok(deflateRawSync(zeros).length < 2000);

  await refused(zipOf(folderEntries(5, 9)), 413, 'ARCHIVE_TOO_MANY_ENTRIES', limited);
  // 40 kB of text in a PNG chunk: deflates ~4× (not a bomb), but inflates past the 30 kB limit
  let state = 12345;
  const words = Buffer.from(Array.from({ length: 40_000 }, () => 97 + ((state = (state * 1103515245 + 12345) >>> 0) >>> 29)));
  const padded = encodeGrayPng(4, 4, 8, new Array(16).fill(0), [0], [['tEXt', Buffer.concat([Buffer.from('Comment\0'), words])]]);
  const big = zipOf([...folderEntries(5, 2), { name: 'class0/padded.png', data: padded, deflate: true }]);
  assert.ok(big.length < 20_000);
  await refused(big, 413, 'ARCHIVE_UNCOMPRESSED_TOO_LARGE', limited);
  // sizes that lie (declares 100 bytes, inflates to 64 kB): caught while inflating
  const liar = zipOf([...folderEntries(5, 2), { name: 'class0/liar.png', data: new Uint8Array(1 << 16).fill(7), deflate: true }]);
  const at = liar.indexOf(Buffer.from('class0/liar.png'));
  liar.writeUInt32LE(100, at - 30 + 22);
  const central = liar.indexOf(Buffer.from('class0/liar.png'), at + 1);
  liar.writeUInt32LE(100, central - 46 + 24);
  await failed(liar, 'INVALID_ARCHIVE');
  await refused(zipOf(folderEntries(5, 2)), 413, 'DATASET_TOO_LARGE', limited); // 10 × 28² × 4 bytes > 20000
  const huge = zipOf(
    folderEntries(5, 8).map((e) => ({
      ...e,
      data: encodeGrayPng(
        30,
        30,
        8,
        Array.from({ length: 900 }, (_, k) => (k * 7919 + e.name.length * 31) % 251),
      ),
    })),
  );
  assert.ok(huge.length > 20_000);
  await refused(huge, 413, 'ARCHIVE_TOO_LARGE', limited);
  // without a content-length (chunked): cut off while streaming
  const body = upload(huge);
  const res = await limited.app.inject({ method: 'POST', url: '/datasets', headers: { ...admin, ...body.headers }, payload: Readable.from([body.payload]) });
  assert.equal(res.statusCode, 413, res.body);
  assert.equal(res.json().error.code, 'ARCHIVE_TOO_LARGE');
});

test('archives that are not usable datasets are refused (422) with the reason, or fail with it when an image is the problem', async () => {
  const good = folderEntries(5, 2);
  const text = await refused(zipOf([...good, { name: 'class0/readme.txt', data: Buffer.from('hello') }]), 422, 'NOT_AN_IMAGE');
  assert.deepEqual(text.details, { entry: 'class0/readme.txt' });
  await failed(zipOf([...good, { name: 'class0/fake.png', data: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>') }]), 'NOT_AN_IMAGE');
  const corrupt = Buffer.from(png(3));
  corrupt.fill(0x55, 41, corrupt.length - 12); // IDAT payload garbled, header intact
  await failed(zipOf([...good, { name: 'class0/corrupt.png', data: corrupt }]), 'INVALID_IMAGE');
  const giant = Buffer.from(png(4));
  giant.writeUInt32BE(100_000, 16);
  giant.writeUInt32BE(100_000, 20);
  const large = await failed(zipOf([...good, { name: 'class1/giant.png', data: giant }]), 'IMAGE_TOO_LARGE');
  assert.equal((large.details as { width: number }).width, 100_000);
  await failed(zipOf([...good, { name: 'class1/bad.jpg', data: Buffer.from([0xff, 0xd8, 0xff, 0, 1, 2, 3]) }]), 'INVALID_IMAGE');

  const few = await refused(zipOf(folderEntries(4, 3)), 422, 'TOO_FEW_CLASSES');
  assert.deepEqual(few.details, { classes: 4, minimum: 5 });
  const single = await refused(zipOf([...folderEntries(5, 2), { name: 'lonely/one.png', data: png(9) }]), 422, 'TOO_FEW_IMAGES');
  assert.deepEqual(single.details, { class: 'lonely', images: 1, minimum: 2 });
  await refused(zipOf([]), 422, 'TOO_FEW_CLASSES');
  await refused(zipOf([...good, { name: 'stray.png', data: png(5) }]), 422, 'INVALID_LAYOUT');
  await refused(zipOf([...good, { name: 'a/b/c.png', data: png(6) }]), 422, 'INVALID_LAYOUT');
  await refused(zipOf(good.map((e) => ({ ...e, name: `a/b/c/${e.name}` })).concat([{ name: 'a/x/c/d/e.png', data: png(7) }])), 422, 'INVALID_LAYOUT');
});

test('the request itself: fields validated (400), multipart required (415), admin only (403)', async () => {
  const zip = zipOf(folderEntries(5, 2));
  const noArchive = multipart([{ name: 'name', value: 'x' }]);
  const cases: [{ payload: Buffer; headers: Record<string, string> }, RegExp][] = [
    [noArchive, /archive/],
    [multipart([{ name: 'archive', value: zip, filename: 'a.zip' }]), /name/],
    [upload(zip, 'bad name!'), /name/],
    [upload(zip, 'ok', { size: '4' }), /size/],
    [upload(zip, 'ok', { channels: '2' }), /channels/],
    [upload(zip, 'ok', { invert: 'maybe' }), /invert/],
    [
      multipart([
        { name: 'name', value: 'x' },
        { name: 'other', value: zip, filename: 'a.zip' },
      ]),
      /other/,
    ],
  ];
  for (const [body, field] of cases) {
    const res = await testApp.app.inject({ method: 'POST', url: '/datasets', headers: { ...admin, ...body.headers }, payload: body.payload });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().error.code, 'VALIDATION_ERROR');
    assert.match(res.json().error.message, field);
  }
  const json = await testApp.app.inject({ method: 'POST', url: '/datasets', headers: admin, payload: { name: 'x' } });
  assert.equal(json.statusCode, 415, json.body);
  const client = { authorization: `Bearer ${(await createApiKey(testApp.db, 'client')).key}` };
  const body = upload(zip);
  const forbidden = await testApp.app.inject({ method: 'POST', url: '/datasets', headers: { ...client, ...body.headers }, payload: body.payload });
  assert.equal(forbidden.statusCode, 403);
  assert.equal((await testApp.app.inject({ method: 'GET', url: '/datasets/not-a-uuid', headers: admin })).statusCode, 400);
  assert.equal((await testApp.app.inject({ method: 'GET', url: '/datasets/00000000-0000-4000-8000-000000000000', headers: admin })).statusCode, 404);
});

test('while a dataset is processing it cannot be deleted or trained on (409 DATASET_NOT_READY); a stale one counts as interrupted', async () => {
  const row = await createPendingDataset(testApp.db, 'pending', { size: 28, channels: 1, invert: true, resize: 'area', normalisation: { mean: 0, std: 1 } });
  const shown = await testApp.app.inject({ method: 'GET', url: `/datasets/${row.id}`, headers: admin });
  assert.equal(shown.json().status, 'processing');
  assert.deepEqual([shown.json().classes, shown.json().artifact, shown.json().error], [null, null, null]);
  const deleted = await testApp.app.inject({ method: 'DELETE', url: `/datasets/${row.id}`, headers: admin });
  assert.equal(deleted.statusCode, 409);
  assert.equal(deleted.json().error.code, 'DATASET_NOT_READY');
  const trained = await testApp.app.inject({ method: 'POST', url: '/training-jobs', headers: admin, payload: { dataset: row.id, iterations: 10 } });
  assert.equal(trained.statusCode, 409, trained.body);
  assert.equal(trained.json().error.code, 'DATASET_NOT_READY');

  await testApp.db.dataset.update({ where: { id: row.id }, data: { heartbeatAt: new Date(Date.now() - INGESTION_STALE_MS - 1_000) } });
  const stale = (await testApp.app.inject({ method: 'GET', url: '/datasets', headers: admin })).json().datasets.find((d: { id: string }) => d.id === row.id);
  assert.equal(stale.status, 'failed');
  assert.equal(stale.error.code, 'INGESTION_INTERRUPTED');
  assert.equal((await testApp.app.inject({ method: 'DELETE', url: `/datasets/${row.id}`, headers: admin })).statusCode, 204, 'a failed one can be deleted');
});

test('an API process that stops while ingesting marks the upload failed (INGESTION_INTERRUPTED), never leaves it processing', async () => {
  const own = await buildTestApp(database.url);
  const res = await post(zipOf(folderEntries(5, 60)), own);
  assert.equal(res.statusCode, 202, res.body);
  await own.close(); // the ingestion thread is still starting or decoding
  const row = await testApp.db.dataset.findUniqueOrThrow({ where: { id: res.json().id } });
  assert.equal(row.status, 'failed');
  assert.equal((row.error as { code: string }).code, 'INGESTION_INTERRUPTED');
});
