/**
 * Multipart text fields are checked against the body's TypeBox schema with fastify's own ajv
 * (AJV_OPTIONS): any text gives a typed value within the schema's bounds or a 400
 * VALIDATION_ERROR naming the field, never anything else; files and text fields are told apart
 * from the schema alone.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import fc from 'fast-check';
import { HttpError } from '../../shared/errors.ts';
import { fileParts, isFilePart, isTextField, multipartBody, textFieldsSchema, validateFields } from './multipart.ts';
import { Binary, Defaulted, Type } from './schema.ts';
import { AJV_OPTIONS } from './validation.ts';

const body = multipartBody(
  Type.Object(
    {
      labels: Type.String(),
      images: Type.Array(Binary()),
      archive: Binary(),
      steps: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
      size: Defaulted(Type.Integer({ minimum: 8, maximum: 128, default: 28 })),
      invert: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
  { labels: () => new HttpError(400, 'MISSING_LABELS', 'labels are required') },
);

/** validateFields run inside a fastify request, as the routes run it; the outcome comes back as JSON. */
async function validator() {
  const app = Fastify({ ajv: AJV_OPTIONS });
  app.post('/', async (request) => {
    try {
      return { value: validateFields(request, body, request.body as Record<string, string>) };
    } catch (error) {
      if (error instanceof HttpError) return { error: { status: error.statusCode, code: error.code, message: error.message } };
      throw error;
    }
  });
  await app.ready();
  return {
    app,
    async check(fields: Record<string, string>) {
      const res = await app.inject({ method: 'POST', url: '/', payload: fields });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { value?: Record<string, unknown>; error?: { status: number; code: string; message: string } };
    },
  };
}

test('file parts and text fields come from the schema', () => {
  assert.deepEqual(
    [...fileParts(body).entries()],
    [
      ['images', { many: true }],
      ['archive', { many: false }],
    ],
  );
  assert.ok(isFilePart(body, 'archive') && !isFilePart(body, 'labels'));
  assert.ok(isTextField(body, 'steps') && !isTextField(body, 'images') && !isTextField(body, 'other'));
  const text = textFieldsSchema(body);
  assert.deepEqual(Object.keys(text.properties), ['labels', 'steps', 'size', 'invert']);
  assert.deepEqual(text.required, ['labels']);
  assert.equal(textFieldsSchema(body), text, 'one schema object per body (fastify compiles it once)');
});

test('text fields: parsed to their types, defaults filled in, errors name the field', async (t) => {
  const { app, check } = await validator();
  t.after(() => app.close());
  assert.deepEqual((await check({ labels: '["a"]', steps: ' 7 ', invert: 'false' })).value, { labels: '["a"]', steps: 7, invert: false, size: 28 });
  assert.deepEqual((await check({ labels: 'x', steps: '' })).value, { labels: 'x', size: 28 }, 'an empty field counts as absent');
  assert.deepEqual((await check({ steps: '3' })).error, { status: 400, code: 'MISSING_LABELS', message: 'labels are required' });
  assert.deepEqual((await check({ labels: 'x', steps: '51' })).error, { status: 400, code: 'VALIDATION_ERROR', message: 'body/steps must be <= 50' });
  assert.deepEqual((await check({ labels: 'x', invert: 'maybe' })).error, { status: 400, code: 'VALIDATION_ERROR', message: 'body/invert must be boolean' });
  assert.match((await check({ labels: 'x', other: '1' })).error!.message, /must NOT have additional properties/);
  assert.deepEqual((await check({ labels: 'x', steps: 'Infinity' })).error, {
    status: 400,
    code: 'VALIDATION_ERROR',
    message: 'body/steps must be a finite number',
  });
});

test('any text in an integer field: an integer within bounds or VALIDATION_ERROR', async (t) => {
  const { app, check } = await validator();
  t.after(() => app.close());
  await fc.assert(
    fc.asyncProperty(fc.oneof(fc.string(), fc.integer().map(String), fc.double().map(String)), async (raw) => {
      const { value, error } = await check({ labels: 'x', steps: raw });
      if (error) {
        assert.equal(error.code, 'VALIDATION_ERROR');
        assert.match(error.message, /^body\/steps /);
      } else if (value!.steps !== undefined) {
        assert.ok(Number.isInteger(value!.steps) && (value!.steps as number) >= 1 && (value!.steps as number) <= 50, raw);
      } else assert.equal(raw.trim(), '');
    }),
    { numRuns: 500 },
  );
});
