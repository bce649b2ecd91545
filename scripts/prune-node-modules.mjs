#!/usr/bin/env node
// Shrinks an installed production node_modules to what runs (the Docker image's build stage runs it
// after `npm prune --omit=dev`; never run it in a development checkout). Invariants:
// - Packages outside the production closure are removed: what package.json "dependencies" reach
//   through dependencies, optionalDependencies and non-optional peerDependencies. (npm keeps the
//   optional peers of a production package that are also dev dependencies, e.g. prisma and typescript
//   for @prisma/client; nothing at run time imports them.)
// - Files nothing loads at run time go: source maps, type declarations, TypeScript sources, READMEs.
// - TensorFlow.js packages keep their Node bundle (package.json "main"), .wasm files and worker scripts;
//   the browser, ES-module and minified bundles go. tfjs-node(-gpu) is not touched.
// - @prisma/client keeps the PostgreSQL query compiler only (the generated client's engine: "client").
// Usage: node scripts/prune-node-modules.mjs [root]   (prints what it freed)
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(process.argv[2] ?? '.');
const modules = path.join(root, 'node_modules');
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

function du(dir) {
  let bytes = 0;
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) bytes += du(p);
    else if (d.isFile()) bytes += statSync(p).size;
  }
  return bytes;
}
const before = du(modules);

/** The folder node would load `name` from, for a package in `from` (walking up node_modules folders). */
function resolvePackage(name, from) {
  for (let dir = from; dir.startsWith(root); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (dir === root) break;
  }
  return null;
}

const keep = new Set();
function visit(dir) {
  if (keep.has(dir)) return;
  keep.add(dir);
  const pkg = readJson(path.join(dir, 'package.json'));
  const optionalPeers = pkg.peerDependenciesMeta ?? {};
  const names = [
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.optionalDependencies ?? {}),
    ...Object.keys(pkg.peerDependencies ?? {}).filter((n) => !optionalPeers[n]?.optional),
  ];
  for (const name of names) {
    const found = resolvePackage(name, dir);
    if (found) visit(found); // a missing optional dependency (another platform's binary) is fine
  }
}
visit(root);

/** Every installed package folder (including nested node_modules). */
function installed(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    if (!d.isDirectory() || d.name === '.bin' || d.name === '.cache') continue;
    const p = path.join(dir, d.name);
    if (d.name.startsWith('@')) installed(p, out);
    else if (existsSync(path.join(p, 'package.json'))) {
      out.push(p);
      installed(path.join(p, 'node_modules'), out);
    }
  }
  return out;
}
const removed = [];
for (const dir of installed(modules)) {
  if (keep.has(dir) || !existsSync(dir)) continue;
  rmSync(dir, { recursive: true, force: true });
  removed.push(path.relative(modules, dir));
}

const JUNK = /(\.map|\.d\.[cm]?ts|(?<!\.d)\.[cm]?ts|\.tsbuildinfo|^(README|CHANGELOG|HISTORY)(\.\w+)?)$/i;
function dropJunk(dir) {
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, d.name);
    if (d.isDirectory() && !lstatSync(p).isSymbolicLink()) dropJunk(p);
    else if (d.isFile() && JUNK.test(d.name)) rmSync(p);
  }
}
dropJunk(modules);

const TFJS = ['tfjs', 'tfjs-core', 'tfjs-backend-cpu', 'tfjs-backend-wasm', 'tfjs-backend-webgl', 'tfjs-converter', 'tfjs-layers', 'tfjs-data'];
for (const name of TFJS) {
  const dir = path.join(modules, '@tensorflow', name);
  if (!existsSync(dir)) continue;
  const main = path.normalize(readJson(path.join(dir, 'package.json')).main ?? '');
  for (const top of readdirSync(dir)) {
    if (top === 'package.json' || /^LICENSE/i.test(top)) continue;
    const p = path.join(dir, top);
    if (top === 'dist') {
      for (const file of readdirSync(p)) {
        const keepFile = path.join('dist', file) === main || file.endsWith('.wasm') || file.endsWith('.worker.js');
        if (!keepFile) rmSync(path.join(p, file), { recursive: true, force: true });
      }
    } else if (top !== 'wasm-out') rmSync(p, { recursive: true, force: true });
  }
}

const prismaRuntime = path.join(modules, '@prisma', 'client', 'runtime');
if (existsSync(prismaRuntime)) {
  const unused = /^(query_engine_bg\.|query_compiler_bg\.(?!postgresql\.)|edge|react-native|wasm-engine-edge|wasm-compiler-edge|binary\.|library\.)/;
  for (const file of readdirSync(prismaRuntime)) if (unused.test(file)) rmSync(path.join(prismaRuntime, file), { recursive: true, force: true });
}

const after = du(modules);
const mb = (b) => `${(b / 1e6).toFixed(1)} MB`;
console.log(
  `prune-node-modules: ${mb(before)} → ${mb(after)}; removed ${removed.length} packages outside the production closure${removed.length ? `: ${removed.slice(0, 12).join(', ')}${removed.length > 12 ? ', …' : ''}` : ''}`,
);
