/**
 * The one TensorFlow.js import of the core. `@tensorflow/tfjs` registers the standard
 * gradients (tfjs-core alone registers none); the core then uses the tfjs-core API.
 * Backends are chosen by the entry points (src/tf/backend.ts), never here.
 */
import '@tensorflow/tfjs';

export * from '@tensorflow/tfjs-core';
