/**
 * Property tests (fast-check) of the request decoders: any input gives a value or a 4xx HttpError,
 * never anything else. (Multipart text fields: src/api/contract/multipart.test.ts.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { HttpError } from '../../../shared/errors.ts';
import type { ServableModel } from '../../inference/model-catalog.ts';
import { decodeBase64Image, parseLabelsField } from './input.ts';
import { MAX_LABEL_LENGTH, planLabels } from './labels.ts';

/** Runs `f`; a thrown error must be a 4xx HttpError (returned), anything else fails the property. */
function outcome<T>(f: () => T): T | HttpError {
  try {
    return f();
  } catch (error) {
    if (error instanceof HttpError && error.statusCode >= 400 && error.statusCode < 500) return error;
    throw error;
  }
}

const model = (min: number, max: number) => ({ row: { name: 'm' }, ways: { min, max } }) as unknown as ServableModel;

test('labels field: any text is a string array or INVALID_LABELS / MISSING_LABELS', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.json(), fc.constant(undefined)), (raw) => {
      const result = outcome(() => parseLabelsField(raw));
      if (result instanceof HttpError) assert.match(result.code, /^(INVALID|MISSING)_LABELS$/);
      else assert.ok(Array.isArray(result) && result.every((l) => typeof l === 'string'));
    }),
    { numRuns: 2000 },
  );
  fc.assert(fc.property(fc.array(fc.string({ unit: 'binary' })), (labels) => assert.deepEqual(parseLabelsField(JSON.stringify(labels)), labels)));
});

test('base64 images: valid encodings round-trip, anything else is INVALID_BASE64 or FILE_TOO_LARGE', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, urlSafe) => {
      const text = Buffer.from(bytes).toString(urlSafe ? 'base64url' : 'base64');
      assert.deepEqual([...decodeBase64Image(text, 0, 1000)], [...bytes]);
      assert.deepEqual([...decodeBase64Image(`data:image/png;base64,${text}`, 0, 1000)], [...bytes]);
    }),
  );
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 400 }), fc.integer({ min: 1, max: 300 }), (text, max) => {
      const result = outcome(() => decodeBase64Image(text, 3, max));
      if (result instanceof HttpError) assert.match(result.code, /^(INVALID_BASE64|FILE_TOO_LARGE)$/);
      else assert.ok(result.length <= max);
    }),
    { numRuns: 2000 },
  );
});

test('label plans: distinct NFC labels become units 0..N−1, or a 4xx saying why', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 8 }), fc.constantFrom('a', 'b', 'c', 'e\u0301', 'é')), { maxLength: 30 }),
      fc.integer({ min: 0, max: 31 }),
      (labels, images) => {
        const result = outcome(() => planLabels(labels, images, model(2, 5)));
        if (result instanceof HttpError) {
          assert.match(result.code, /^(LABEL_COUNT_MISMATCH|NO_IMAGES|INVALID_LABEL|CLASS_COUNT_UNSUPPORTED)$/);
          return;
        }
        assert.equal(labels.length, images);
        assert.ok(result.distinct.length >= 2 && result.distinct.length <= 5);
        assert.equal(new Set(labels.map((l) => l.normalize('NFC'))).size, result.distinct.length);
        result.units.forEach((unit, i) => assert.equal(result.distinct[unit], labels[i]!.normalize('NFC')));
        assert.ok(result.distinct.every((l) => l.length <= MAX_LABEL_LENGTH && l.trim().length > 0));
      },
    ),
    { numRuns: 3000 },
  );
});
