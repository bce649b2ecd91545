export * from './errors.ts';
export * from './safetensors.ts';
export * from './metadata.ts';
export * from './checkpoint.ts';
export * from './params.ts';
export * from './layout.ts';
export * from './float16.ts';
