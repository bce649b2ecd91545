/**
 * Light affine augmentation of one square single-image slice (pre-training only): a random
 * rotation, isotropic scale and translation about the centre, bilinear sampling, and the
 * source's background value (its corner pixel) where the warp looks outside the image. Pure JS,
 * deterministic from the given Rng. Ranges follow the usual Omniglot cure for over-fitting
 * (±10–15°, ±10 % scale, ±2 px shift).
 */
import type { Rng } from './rng.ts';

export interface AugmentRanges {
  /** Maximum rotation, degrees (uniform in ±). */
  readonly degrees: number;
  /** Maximum relative scale change (uniform in 1 ± scale). */
  readonly scale: number;
  /** Maximum shift in pixels (uniform in ±, per axis). */
  readonly shift: number;
}

export const LIGHT_AUGMENTATION: AugmentRanges = { degrees: 12, scale: 0.1, shift: 2 };

/**
 * Writes a warped copy of `src` (size×size×channels, row-major) into `out` at `offset`.
 * `src` and the target range must not overlap.
 */
export function augmentImage(src: Float32Array, size: number, channels: number, ranges: AugmentRanges, rng: Rng, out: Float32Array, offset: number): void {
  const angle = (rng.uniformIn(-ranges.degrees, ranges.degrees) * Math.PI) / 180;
  const scale = 1 + rng.uniformIn(-ranges.scale, ranges.scale);
  const dx = rng.uniformIn(-ranges.shift, ranges.shift);
  const dy = rng.uniformIn(-ranges.shift, ranges.shift);
  // Inverse map: output pixel (r, c) samples source at centre + R(−angle)·((r, c) − centre − d) / scale.
  const cos = Math.cos(angle) / scale;
  const sin = Math.sin(angle) / scale;
  const centre = (size - 1) / 2;
  for (let k = 0; k < channels; k++) {
    const fill = src[k]!;
    for (let r = 0; r < size; r++) {
      const y = r - centre - dy;
      for (let c = 0; c < size; c++) {
        const x = c - centre - dx;
        const sx = cos * x + sin * y + centre;
        const sy = -sin * x + cos * y + centre;
        const x0 = Math.floor(sx);
        const y0 = Math.floor(sy);
        const fx = sx - x0;
        const fy = sy - y0;
        const at = (yy: number, xx: number) => (yy < 0 || xx < 0 || yy >= size || xx >= size ? fill : src[(yy * size + xx) * channels + k]!);
        const top = at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx;
        const bottom = at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx;
        out[offset + (r * size + c) * channels + k] = top * (1 - fy) + bottom * fy;
      }
    }
  }
}
