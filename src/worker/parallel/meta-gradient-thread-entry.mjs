// worker_threads bootstrap for meta-gradient-thread.ts. Under `node --import tsx` workers inherit the
// TypeScript loader; under the `tsx` CLI they do not, so it is registered here on demand.
try {
  await import('./meta-gradient-thread.ts');
} catch (error) {
  if (error?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
  const { register } = await import('tsx/esm/api');
  register();
  await import('./meta-gradient-thread.ts?tsx'); // a new URL: the failed import above stays cached
}
