// The file piscina loads in the dataset ingestion thread (see src/import-ts.mjs).
import { importTs } from '../../import-ts.mjs';

const { default: run } = await importTs(new URL('./thread.ts', import.meta.url).href);
export default run;
