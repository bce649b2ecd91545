// Imports a TypeScript module from a worker thread. Under `node --import tsx` workers inherit the
// TypeScript loader; under the `tsx` CLI (npm start) or when a library passes its own execArgv,
// they do not, so the loader is registered here on demand.
export async function importTs(url) {
  try {
    return await import(url);
  } catch (error) {
    if (error?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
    const { register } = await import('tsx/esm/api');
    register();
    return import(`${url}?tsx`); // a new URL: the failed import above stays cached
  }
}
