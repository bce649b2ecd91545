#!/usr/bin/env node
/**
 * Builds the optional native kernels (native/kernels/*.c → native/build/maml_kernels.node), a
 * Node-API addon with a vendored GEMM (AVX-512 / AVX2 / portable, chosen at run time), so one
 * binary runs on any x86-64 (or, portable kernel only, other) CPU. Needs a C compiler and
 * Node's headers (include/node beside the node binary; NODE_INCLUDE_DIR overrides); no BLAS,
 * no node-gyp, no Python, no network.
 *
 *   node scripts/build-kernels.mjs            # never fails: prints why and exits 0 (postinstall)
 *   node scripts/build-kernels.mjs --strict   # exits 1 when the addon cannot be built (CI)
 *
 * Environment: CC (default cc), CFLAGS (extra flags), NODE_INCLUDE_DIR,
 * MAML_KERNELS_SKIP_BUILD=1 (skip). Without the addon, registerFastKernels() registers nothing
 * and TensorFlow.js keeps its stock kernels.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sourceDir = join(root, 'native', 'kernels');
const outDir = join(root, 'native', 'build');
const output = join(outDir, 'maml_kernels.node');
const strict = process.argv.includes('--strict');

function giveUp(reason) {
  console.warn(`[build-kernels] native kernels not built: ${reason}`);
  console.warn('[build-kernels] TensorFlow.js will use its stock wasm kernels (slower, same results).');
  process.exit(strict ? 1 : 0);
}

if (process.env.MAML_KERNELS_SKIP_BUILD === '1') giveUp('MAML_KERNELS_SKIP_BUILD=1');
if (process.platform === 'win32') giveUp('Windows is not supported by this build script');

const includeDir = process.env.NODE_INCLUDE_DIR ?? resolve(dirname(process.execPath), '..', 'include', 'node');
if (!existsSync(join(includeDir, 'node_api.h'))) {
  giveUp(`Node headers not found (${join(includeDir, 'node_api.h')}); set NODE_INCLUDE_DIR`);
}
if (!existsSync(sourceDir)) giveUp(`sources missing: ${sourceDir}`);
const sources = readdirSync(sourceDir)
  .filter((f) => f.endsWith('.c'))
  .sort()
  .map((f) => join(sourceDir, f));

const cc = process.env.CC || 'cc';
const temporary = `${output}.${process.pid}.tmp`;
const args = [
  '-O3',
  '-std=c11',
  '-fPIC',
  '-shared',
  '-pthread',
  '-fvisibility=hidden',
  '-Wall',
  '-Wextra',
  ...(process.env.CFLAGS ? process.env.CFLAGS.split(/\s+/).filter(Boolean) : []),
  `-I${includeDir}`,
  ...sources,
  '-o',
  temporary,
  '-lm',
  ...(process.platform === 'darwin' ? ['-undefined', 'dynamic_lookup'] : []),
];
mkdirSync(outDir, { recursive: true });
const started = Date.now();
const result = spawnSync(cc, args, { stdio: ['ignore', 'inherit', 'inherit'] });
if (result.error || result.status !== 0) {
  rmSync(temporary, { force: true });
  rmSync(output, { force: true }); // never leave a binary of older sources behind
  giveUp(result.error ? `${cc}: ${result.error.message}` : `${cc} exited with status ${result.status}`);
}
renameSync(temporary, output);

// Load it once here so a broken binary is reported at install time, not at first use.
try {
  const addon = (await import('node:module')).createRequire(import.meta.url)(output);
  const info = addon.info();
  console.log(`[build-kernels] built ${output} in ${Date.now() - started} ms (isa ${info.isa}, ${info.mr}×${info.nr} tiles)`);
} catch (error) {
  rmSync(output, { force: true });
  giveUp(`built but cannot load: ${error instanceof Error ? error.message : String(error)}`);
}
