/**
 * The package's root folder (where package.json, openapi.yaml, prisma/, native/ and models/ are),
 * found from this file's own location: src/package-root.ts when the sources run (tests, tsx) and
 * dist/src/package-root.js in the compiled build. Files shipped beside the code are resolved from
 * it, never from `../..` of a module (which differs by one folder between the two layouts).
 * Invariant: the compiled build keeps the sources' layout under dist/ (tsconfig.build.json).
 */
const here = new URL('.', import.meta.url);

export const PACKAGE_ROOT: URL = here.pathname.endsWith('/dist/src/') ? new URL('../../', here) : new URL('../', here);

/** `relative` (a path with `/`) inside the package root, as a file: URL. */
export function packageFile(relative: string): URL {
  return new URL(relative, PACKAGE_ROOT);
}

/** Whether this module runs from the compiled build (dist/) rather than the TypeScript sources. */
export const COMPILED = !import.meta.url.endsWith('.ts');
