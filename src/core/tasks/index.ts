export * from './rng.ts';
export * from './image-store.ts';
export * from './sampler.ts';
export * from './sinusoid.ts';
export * from './confidence.ts';
