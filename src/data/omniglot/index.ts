export * from './layout.ts';
export * from './splits.ts';
export * from './cache.ts';
export * from './load.ts';
export * from './manifest.ts';
export * from './zip.ts';
export * from './download.ts';
export * from './preprocess-files.ts';
