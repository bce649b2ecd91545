/**
 * The web console (web/) → dist/web, served by the API (src/api/plugins/console.ts). Everything is
 * bundled into external, content-hashed files under assets/: no inline scripts or styles (the
 * console's Content-Security-Policy allows 'self' only) and nothing from a CDN.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const API_PATHS = ['/adapt', '/predict', '/sessions', '/models', '/training-jobs', '/datasets', '/keys', '/healthz', '/readyz'];

export default defineConfig({
  root: fileURLToPath(new URL('./web', import.meta.url)),
  base: '/',
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('./dist/web', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
    sourcemap: false,
  },
  // `npx vite` (development): the page from Vite, the API from a service on :3000.
  server: { proxy: Object.fromEntries(API_PATHS.map((prefix) => [prefix, 'http://localhost:3000'])) },
});
