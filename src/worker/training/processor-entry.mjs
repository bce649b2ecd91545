// The file BullMQ loads in its sandbox thread (see src/import-ts.mjs).
import { importTs } from '../../import-ts.mjs';

const { default: processor } = await importTs(new URL('./processor.ts', import.meta.url).href);
export default processor;
