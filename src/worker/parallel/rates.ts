/**
 * Layout of the learned inner rates of a step (MAML++ per-step, Meta-SGD per-parameter), checked
 * against θ's layout before anything is sent to a thread.
 */
import { type HostParams, type PackedLayout, LayoutMismatchError, layoutOf } from './packing.ts';
import type { PoolAlgorithmOptions } from './protocol.ts';

/**
 * 'perStep': one 1-D rate of ≥ `steps` values per adapted parameter; 'perParameter': one rate shaped
 * like each adapted parameter; a fixed rate takes none. Throws LayoutMismatchError otherwise.
 */
export function rateLayout(algorithm: PoolAlgorithmOptions, theta: PackedLayout, rates: HostParams): PackedLayout {
  const given = Object.keys(rates);
  if (typeof algorithm.lr === 'number') {
    if (given.length > 0) throw new LayoutMismatchError('learned rates (the pool uses a fixed rate)', [], given, []);
    return layoutOf([]);
  }
  const adapted = algorithm.only ?? theta.entries.map((e) => e.name);
  const missing = adapted.filter((name) => !(name in rates));
  const unexpected = given.filter((name) => !adapted.includes(name));
  const wrongSize: { name: string; expected: number; actual: number }[] = [];
  const perStep = algorithm.lr === 'perStep';
  const shapes = adapted
    .filter((name) => name in rates)
    .map((name) => {
      const actual = rates[name]!.length;
      const thetaEntry = theta.entries.find((e) => e.name === name);
      const expected = perStep ? algorithm.steps : (thetaEntry?.size ?? actual);
      if (perStep ? actual < expected || actual === 0 : actual !== expected) wrongSize.push({ name, expected, actual });
      return { name, shape: perStep ? [actual] : (thetaEntry?.shape ?? [actual]) };
    });
  if (missing.length + unexpected.length + wrongSize.length > 0) throw new LayoutMismatchError('learned rates', missing, unexpected, wrongSize);
  return layoutOf(shapes);
}
