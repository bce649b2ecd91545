import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from './exit-codes.ts';
import { collectImages, readSupportFolder } from './folders.ts';

async function tree(files: string[]): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'maml-folders-'));
  for (const file of files) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), 'x');
  }
  return root;
}

test('support folder: each sub-folder is a label, its images in name order; hidden entries and other files ignored', async (t) => {
  const root = await tree(['b/2.PNG', 'b/1.jpg', 'a/x.webp', 'a/notes.txt', '.git/1.png', 'a/.hidden.png', 'top.png']);
  t.after(() => rm(root, { recursive: true, force: true }));
  const support = await readSupportFolder(root);
  assert.deepEqual(
    support.map((s) => [s.label, path.relative(root, s.path)]),
    [
      ['a', 'a/x.webp'],
      ['b', 'b/1.jpg'],
      ['b', 'b/2.PNG'],
    ],
  );
});

test('support folder problems are usage errors naming the folder', async (t) => {
  const flat = await tree(['1.png']);
  const empty = await tree(['a/1.png', 'b/readme.md']);
  t.after(() => Promise.all([flat, empty].map((d) => rm(d, { recursive: true, force: true }))));
  await assert.rejects(readSupportFolder(flat), (e: unknown) => e instanceof UsageError && e.message.includes('has no sub-folders'));
  await assert.rejects(readSupportFolder(path.join(flat, '1.png')), /is not a folder/);
  await assert.rejects(readSupportFolder(empty), (e: unknown) => e instanceof UsageError && e.message.startsWith(`${path.join(empty, 'b')} holds no images`));
});

test('images to classify: files as given, then folders walked in name order with their sub-folders', async (t) => {
  const root = await tree(['q/b/2.png', 'q/a.png', 'q/c.txt', 'one.jpeg']);
  t.after(() => rm(root, { recursive: true, force: true }));
  const files = await collectImages([path.join(root, 'one.jpeg'), path.join(root, 'q')]);
  assert.deepEqual(
    files.map((f) => path.relative(root, f)),
    ['one.jpeg', 'q/a.png', 'q/b/2.png'],
  );
  await assert.rejects(collectImages([path.join(root, 'q', 'b', 'none')]), { code: 'ENOENT' });
  const textOnly = await tree(['a.txt']);
  t.after(() => rm(textOnly, { recursive: true, force: true }));
  await assert.rejects(collectImages([textOnly]), UsageError);
});
