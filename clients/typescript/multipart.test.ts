import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adaptParts, predictParts, toFormData } from './multipart.ts';

test('adapt: labels as a JSON field, the optional fields as text, then one named images part per support image, in order', async () => {
  const parts = adaptParts({
    support: [
      { label: 'ka', file: new File([new Uint8Array([1])], 'ka.png', { type: 'image/png' }) },
      { label: 'kha', file: new Uint8Array([2, 3]) },
      { label: 'ka', file: new Blob([new Uint8Array([4])]) },
    ],
    model: 'omniglot-5way',
    steps: 3,
    headOnly: false,
  });
  const form = toFormData(parts);
  assert.deepEqual([...form.keys()], ['labels', 'model', 'steps', 'headOnly', 'images', 'images', 'images']);
  assert.equal(form.get('labels'), '["ka","kha","ka"]');
  assert.equal(form.get('steps'), '3');
  assert.equal(form.get('headOnly'), 'false');
  const images = form.getAll('images') as File[];
  assert.deepEqual(
    images.map((f) => f.name),
    ['ka.png', 'image-1', 'image-2'],
  );
  assert.deepEqual([...new Uint8Array(await images[1]!.arrayBuffer())], [2, 3]);
  assert.equal(images[0]!.type, 'image/png');
});

test('predict: the session id, then the images', () => {
  const form = toFormData(predictParts('s'.repeat(24), [new Uint8Array([1]), new Uint8Array([2])]));
  assert.deepEqual([...form.keys()], ['sessionId', 'images', 'images']);
  assert.equal(form.get('sessionId'), 's'.repeat(24));
});
