/**
 * The layout's rule, checked on every relative import (static, dynamic, re-export) of every source
 * file: imports point down the layers of src/ (README.md there), the API and the worker never import
 * each other, and inside each process the entry and the HTTP layer sit above what they use. The CLI
 * and the console talk to the service over HTTP only (the CLI's choices read src/core/kinds.ts, pure data). A failure names each offending import.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SOURCE = /\.(ts|mts|mjs|js|tsx)$/;
const IMPORT = /(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]*)['"]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || rel === 'src/generated' ? [] : sourceFiles(rel);
    return SOURCE.test(entry.name) ? [rel] : [];
  });
}

/** [importer, imported], repository-relative, for every relative import under `dir`. */
function importsUnder(dir: string): [string, string][] {
  return sourceFiles(dir).flatMap((file) =>
    [...readFileSync(path.join(ROOT, file), 'utf8').matchAll(IMPORT)].map((m): [string, string] => [
      file,
      path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]!)),
    ]),
  );
}

/**
 * The layers of src/, lowest first: a file may import its own layer and those below it. `api` and
 * `worker` share a rank but are not each other's (see SIBLINGS).
 */
const LAYERS: [rank: number, pattern: RegExp][] = [
  [0, /^src\/(package-root\.ts|import-ts\.mjs|generated\/)/],
  [1, /^src\/core\//],
  [2, /^src\/(kernels|tf)\//],
  [3, /^src\/data\//],
  [4, /^src\/shared\//],
  [5, /^src\/(api|worker)\//],
  [6, /^src\/(start|supervise)(\.test)?\.ts$/],
];
const SIBLINGS = [/^src\/api\//, /^src\/worker\//];
/** Inside a process: [lower part, the upper parts it must not import]. */
const INSIDE: [RegExp, RegExp][] = [
  [/^src\/api\/(inference|sessions|auth)\//, /^src\/api\/(routes\/|plugins\/|app\.ts|server\.ts)/],
  [/^src\/api\/(routes|plugins)\//, /^src\/api\/(app|server)\.ts$/],
  [/^src\/api\/contract\//, /^src\/api\/(routes\/|plugins\/|app\.ts|server\.ts)/],
  [/^src\/worker\/parallel\//, /^src\/worker\/(training\/|worker\.ts)/],
  [/^src\/worker\/training\//, /^src\/worker\/worker\.ts$/],
];

const TEST_OR_BENCH = /\.(test|bench)\.ts$/;

function rank(file: string): number | undefined {
  return LAYERS.find(([, pattern]) => pattern.test(file))?.[0];
}

/** Each import that breaks the rule, as "importer -> imported (why)". */
export function layoutViolations(pairs: [string, string][]): string[] {
  const out: string[] = [];
  for (const [from, to] of pairs) {
    if (!to.startsWith('src/')) continue;
    const a = rank(from);
    const b = rank(to);
    if (from.startsWith('src/') && a === undefined) out.push(`${from} (not in any layer: add its folder to LAYERS and src/README.md)`);
    // Tests and benchmarks may reach up for real inputs (a core test decoding real drawings); the code they test may not.
    else if (a !== undefined && b !== undefined && b > a && !TEST_OR_BENCH.test(from)) out.push(`${from} -> ${to} (imports upward)`);
    const sa = SIBLINGS.findIndex((p) => p.test(from));
    const sb = SIBLINGS.findIndex((p) => p.test(to));
    if (sa >= 0 && sb >= 0 && sa !== sb) out.push(`${from} -> ${to} (the API and the worker never import each other)`);
    for (const [lower, upper] of INSIDE) if (lower.test(from) && upper.test(to)) out.push(`${from} -> ${to} (imports upward inside its process)`);
  }
  return [...new Set(out)];
}

test('src/: imports point down the layers; the API and the worker never import each other', () => {
  assert.deepEqual(layoutViolations(importsUnder('src')), []);
});

test('the CLI and the console reach the service over HTTP only (no import of src/ beyond its bootstrap helpers and the list of kinds)', () => {
  const reachesIn = [...importsUnder('cli'), ...importsUnder('web/src')].filter(
    ([, to]) => to.startsWith('src/') && !/^src\/(package-root\.ts|import-ts\.mjs|core\/kinds\.ts)$/.test(to),
  );
  assert.deepEqual(
    reachesIn.map(([from, to]) => `${from} -> ${to}`),
    [],
  );
});

test('the rule itself: an upward import, a cross-process import and an unknown folder are each named', () => {
  assert.deepEqual(
    layoutViolations([
      ['src/shared/config.ts', 'src/api/app.ts'],
      ['src/api/routes/x.ts', 'src/worker/training/run.ts'],
      ['src/api/inference/pool.ts', 'src/api/routes/models/routes.ts'],
      ['src/core/adapt.ts', 'src/shared/errors.ts'],
      ['src/misc/thing.ts', 'src/core/adapt.ts'],
      ['src/worker/training/run.ts', 'src/shared/db/client.ts'],
    ]),
    [
      'src/shared/config.ts -> src/api/app.ts (imports upward)',
      'src/api/routes/x.ts -> src/worker/training/run.ts (the API and the worker never import each other)',
      'src/api/inference/pool.ts -> src/api/routes/models/routes.ts (imports upward inside its process)',
      'src/core/adapt.ts -> src/shared/errors.ts (imports upward)',
      'src/misc/thing.ts (not in any layer: add its folder to LAYERS and src/README.md)',
    ],
  );
});
