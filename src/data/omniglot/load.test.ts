import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { preprocessImage } from '../image/preprocess.ts';
import { validateImageStore } from '../../core/tasks/image-store.ts';
import { TaskSampler } from '../../core/tasks/sampler.ts';
import { indexOmniglot, listingDigest, OmniglotMissingError } from './layout.ts';
import { loadOmniglot, OMNIGLOT_PREPROCESSING } from './load.ts';
import { preprocessFiles } from './preprocess-files.ts';
import { assignSplits, SplitOptionsError, validationAlphabets, type SplitClass } from './splits.ts';
import { manifestDigest, OFFICIAL_DIGESTS } from './manifest.ts';

const SHARED = '/work/shared/data/omniglot';
const sharedThere = await readdir(SHARED).then(
  () => true,
  () => false,
);
const work = await mkdtemp(path.join(tmpdir(), 'omniglot-load-'));
after(() => rm(work, { recursive: true, force: true }));

/** A copy of a few real characters: 4 Greek + 1 Latin (background), 2 Angelic (evaluation). */
async function fewCharacters(): Promise<string> {
  const dir = await mkdtemp(path.join(work, 'omniglot-'));
  const pick = [
    ['images_background', 'Greek', ['character01', 'character02', 'character03', 'character04']],
    ['images_background', 'Latin', ['character01']],
    ['images_evaluation', 'Angelic', ['character01', 'character02']],
  ] as const;
  for (const [split, alphabet, characters] of pick) {
    for (const c of characters) await cp(path.join(SHARED, split, alphabet, c), path.join(dir, split, alphabet, c), { recursive: true });
  }
  return dir;
}

test('splits: whole background alphabets held out for validation (the default), seeded, never all', () => {
  const classes: SplitClass[] = ['A', 'B', 'C', 'D', 'E', 'F', 'G'].flatMap((alphabet) =>
    Array.from({ length: 4 }, () => ({ split: 'images_background' as const, alphabet })),
  );
  classes.push(...Array.from({ length: 3 }, () => ({ split: 'images_evaluation' as const, alphabet: 'Z' })));
  const s = assignSplits(classes);
  const held = new Set(classes.filter((_, i) => s[i] === 'validation').map((c) => c.alphabet));
  assert.equal(held.size, 5, 'five whole alphabets by default');
  for (const a of held)
    assert.ok(
      classes.every((c, i) => c.alphabet !== a || s[i] === 'validation'),
      `all of ${a}`,
    );
  assert.deepEqual(validationAlphabets(classes, s), [...held].sort());
  assert.deepEqual(s, assignSplits(classes, { holdout: 'alphabets', alphabets: 5, seed: 0 }));
  assert.ok(
    [1, 2, 3, 4].some((seed) => assignSplits(classes, { holdout: 'alphabets', alphabets: 5, seed }).join() !== s.join()),
    'the seed chooses',
  );
  assert.deepEqual(s.slice(-3), ['test', 'test', 'test']);
  const two = assignSplits(classes.slice(0, 8), { holdout: 'alphabets', alphabets: 5, seed: 0 });
  assert.equal(two.filter((x) => x === 'train').length, 4, 'with two alphabets, one stays for training');
  assert.throws(() => assignSplits(classes, { holdout: 'alphabets', alphabets: -1, seed: 0 }), SplitOptionsError);
});

test('splits: evaluation alphabets test, a seeded share of each background alphabet validation', () => {
  const classes = [
    ...Array.from({ length: 30 }, () => ({ split: 'images_background' as const, alphabet: 'A' })),
    ...Array.from({ length: 3 }, () => ({ split: 'images_background' as const, alphabet: 'B' })),
    ...Array.from({ length: 5 }, () => ({ split: 'images_evaluation' as const, alphabet: 'C' })),
  ];
  const s = assignSplits(classes, { holdout: 'characters', fraction: 0.1, seed: 4 });
  assert.deepEqual(s, assignSplits(classes, { holdout: 'characters', fraction: 0.1, seed: 4 }));
  assert.notDeepEqual(s.slice(0, 30), assignSplits(classes, { holdout: 'characters', fraction: 0.1, seed: 5 }).slice(0, 30));
  assert.equal(s.slice(0, 30).filter((x) => x === 'validation').length, 3);
  assert.equal(s.slice(30, 33).filter((x) => x === 'validation').length, 1, 'at least one per alphabet');
  assert.deepEqual(s.slice(33), ['test', 'test', 'test', 'test', 'test']);
  assert.ok(assignSplits(classes, { holdout: 'characters', fraction: 0, seed: 0 }).every((x) => x !== 'validation'));
  assert.equal(assignSplits(classes.slice(30, 33), { holdout: 'characters', fraction: 0.9, seed: 0 }).filter((x) => x === 'train').length, 1, 'never all');
  assert.throws(() => assignSplits(classes, { holdout: 'characters', fraction: 1, seed: 0 }), SplitOptionsError);
});

test('loads a few real characters, caches them, and reads the cache back', { skip: !sharedThere && 'no Omniglot copy' }, async () => {
  const dir = await fewCharacters();
  const cacheDir = path.join(work, 'cache');
  const first = await loadOmniglot({ dir, cacheDir, validation: { holdout: 'characters', fraction: 0.25, seed: 1 } });
  assert.equal(first.source, 'images');
  assert.equal(first.imageCount, 140);
  // Greek: 1 of 4 held out; Latin: its only character stays in training (never all)
  assert.deepEqual([first.train.classes.length, first.validation.classes.length, first.test.classes.length], [4, 1, 2]);
  assert.ok(first.test.classNames!.every((n) => n.startsWith('Angelic/')));
  assert.equal(first.train.images.length, 140 * 28 * 28);
  // the store holds exactly what the serving path produces for the same file
  const index = await indexOmniglot(dir);
  const file = index.characters[6]!.files[3]!;
  const served = await preprocessImage(await readFile(path.join(dir, file)), OMNIGLOT_PREPROCESSING);
  const stored = first.test.classes[1]![3]!;
  assert.deepEqual(first.test.images.subarray(stored * 784, (stored + 1) * 784), served);

  for (const store of [first.train, first.validation, first.test]) validateImageStore(store);
  const plan = new TaskSampler(first.train, { nWay: 5, kShot: 1, queries: 3, rotations: true }, 0).nextPlan();
  assert.ok(plan.classes.every((c) => [...c.support, ...c.query].every((i) => (first.train.classes[c.baseClass] as number[]).includes(i))));

  const second = await loadOmniglot({ dir, cacheDir, validation: { holdout: 'characters', fraction: 0.25, seed: 1 } });
  assert.equal(second.source, 'cache');
  assert.deepEqual(second.train.images, first.train.images);
  assert.deepEqual(second.validation.classes, first.validation.classes);
  assert.deepEqual(second.test.classNames, first.test.classNames);

  await writeFile(path.join(dir, 'images_background', 'Latin', 'character01', '9999_99.png'), await readFile(path.join(dir, file)));
  const third = await loadOmniglot({ dir, cacheDir });
  assert.equal(third.source, 'images');
  assert.match(third.cacheNote, /source files changed/);
  assert.equal(third.imageCount, 141);
  await writeFile(third.cacheFile!, 'garbage');
  const fourth = await loadOmniglot({ dir, cacheDir });
  assert.deepEqual([fourth.source, fourth.cacheNote], ['images', 'bad magic']);
  assert.equal((await loadOmniglot({ dir, cacheDir })).source, 'cache');
});

test('worker threads produce the same pixels as the main thread', { skip: !sharedThere && 'no Omniglot copy' }, async () => {
  const index = await indexOmniglot(SHARED);
  const files = index.characters.slice(0, 3).flatMap((c) => c.files);
  const progress: number[] = [];
  const threaded = await preprocessFiles(SHARED, files, OMNIGLOT_PREPROCESSING, 2, (done) => progress.push(done));
  const inline = await preprocessFiles(SHARED, files, OMNIGLOT_PREPROCESSING, 1);
  assert.deepEqual(new Float32Array(threaded), inline);
  assert.equal(progress.at(-1), files.length);
});

test('indexing the shared copy finds the documented counts; its evaluation digest matches the embedded one', {
  skip: !sharedThere && 'no Omniglot copy',
}, async () => {
  const index = await indexOmniglot(SHARED);
  assert.equal(index.imageCount, 32460);
  assert.equal(index.characters.filter((c) => c.split === 'images_background').length, 964);
  assert.equal(index.characters.length, 1623);
  assert.equal(listingDigest(index), listingDigest(await indexOmniglot(SHARED)));
  const { digest, files } = await manifestDigest(SHARED, 'images_evaluation');
  assert.deepEqual([digest, files], [OFFICIAL_DIGESTS.images_evaluation, 13180]);
});

test('a missing directory is a typed error', async () => {
  await assert.rejects(indexOmniglot(path.join(work, 'nothing')), (e: unknown) => e instanceof OmniglotMissingError && e.missing.length === 2);
});
