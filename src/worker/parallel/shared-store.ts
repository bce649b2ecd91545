/**
 * An ImageStore whose pixel array lives in a SharedArrayBuffer, so worker threads read the same
 * memory (structured clone shares a SharedArrayBuffer instead of copying it). Class index lists
 * are small and are copied into plain arrays.
 */
import type { ImageStore } from '../../core/tasks/index.ts';

export function isShared(images: Float32Array): boolean {
  return images.buffer instanceof SharedArrayBuffer;
}

/** The store itself when its images are already shared; else a copy with shared images (one copy, once). */
export function shareImageStore(store: ImageStore): ImageStore {
  const classes = store.classes.map((c) => Array.from(c));
  const base = {
    height: store.height,
    width: store.width,
    channels: store.channels,
    classes,
    ...(store.classNames ? { classNames: [...store.classNames] } : {}),
  };
  if (isShared(store.images)) return { ...base, images: store.images };
  const images = new Float32Array(new SharedArrayBuffer(store.images.byteLength));
  images.set(store.images);
  return { ...base, images };
}
