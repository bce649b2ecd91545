import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { createApiKey } from '../../src/api/auth/api-keys.ts';
import { buildTestApp, createTestDatabase } from '../helpers/env.ts';
import { registerTestModel } from '../helpers/models.ts';
import { blankPng } from '../helpers/served.ts';

test('size limits answer 413 with their own codes, before decoding, and the server stays healthy', async (t) => {
  const database = await createTestDatabase();
  const app = await buildTestApp(database.url, { MAX_FILE_BYTES: '20000', MAX_FILES: '6', MAX_IMAGE_PIXELS: '1000000' });
  t.after(async () => {
    await app.close();
    await database.drop();
  });
  await registerTestModel(app.db, app.deps.store);
  const auth = { authorization: `Bearer ${(await createApiKey(app.db, 'client')).key}` };
  const labels = ['a', 'b', 'c', 'd', 'e'];
  const adapt = (images: Buffer[], names = labels) =>
    app.app.inject({
      method: 'POST',
      url: '/adapt',
      headers: auth,
      payload: { support: images.map((image, i) => ({ label: names[i % names.length]!, image: image.toString('base64') })) },
    });

  const small = await blankPng();
  assert.equal((await adapt([small, small, small, small, small])).statusCode, 201);

  // A 2000×2000 blank PNG compresses to a few KB: refused from its header (decompression bomb).
  const bomb = await sharp({ create: { width: 2000, height: 2000, channels: 3, background: '#ffffff' } })
    .png({ compressionLevel: 9 })
    .toBuffer();
  assert.ok(bomb.length < 20000, `${bomb.length} bytes`);
  const huge = await adapt([bomb, small, small, small, small]);
  assert.equal(huge.statusCode, 413, huge.body);
  assert.equal(huge.json().error.code, 'IMAGE_TOO_LARGE');

  const noisy = await sharp(Buffer.from(Array.from({ length: 200 * 200 }, (_, i) => Math.floor(Math.abs(Math.sin(i * 12.9898) * 43758.5453) * 256) % 256)), {
    raw: { width: 200, height: 200, channels: 1 },
  })
    .png()
    .toBuffer();
  assert.ok(noisy.length > 20000, `${noisy.length}`);
  const tooBig = await adapt([noisy, small, small, small, small]);
  assert.equal(tooBig.statusCode, 413, tooBig.body);
  assert.equal(tooBig.json().error.code, 'FILE_TOO_LARGE');

  const tooMany = await adapt(Array.from({ length: 7 }, () => small));
  assert.equal(tooMany.statusCode, 413, tooMany.body);
  assert.equal(tooMany.json().error.code, 'TOO_MANY_FILES');

  assert.equal((await app.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  assert.equal((await adapt([small, small, small, small, small])).statusCode, 201);
});
