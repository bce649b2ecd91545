/**
 * Train / validation / test splits of Omniglot: evaluation alphabets are the test set; of each
 * background alphabet a seeded `fraction` of its characters (at least one when fraction > 0, never
 * all) is held out for validation, the rest is the training set.
 */
import { Rng } from '../../core/tasks/rng.ts';

export interface SplitOptions {
  /** Share of each background alphabet's characters held out for validation (default 0.1). */
  readonly fraction: number;
  readonly seed: number;
}

export const DEFAULT_SPLIT: SplitOptions = { fraction: 0.1, seed: 0 };

export class SplitOptionsError extends Error {
  constructor(readonly field: string, readonly actual: unknown) {
    super(`invalid validation split ${field}: ${JSON.stringify(actual)}`);
  }
}

export interface SplitClass {
  readonly split: 'images_background' | 'images_evaluation';
  readonly alphabet: string;
}

export type SplitName = 'train' | 'validation' | 'test';

/** The split of each class (parallel to `classes`). */
export function assignSplits(classes: readonly SplitClass[], options: SplitOptions = DEFAULT_SPLIT): SplitName[] {
  if (!(options.fraction >= 0 && options.fraction < 1)) throw new SplitOptionsError('fraction', options.fraction);
  const out: SplitName[] = classes.map((c) => (c.split === 'images_evaluation' ? 'test' : 'train'));
  const byAlphabet = new Map<string, number[]>();
  classes.forEach((c, i) => {
    if (c.split === 'images_background') byAlphabet.set(c.alphabet, [...(byAlphabet.get(c.alphabet) ?? []), i]);
  });
  const root = new Rng(options.seed);
  for (const [alphabet, members] of byAlphabet) {
    const wanted = options.fraction > 0 ? Math.max(1, Math.round(members.length * options.fraction)) : 0;
    const held = Math.min(wanted, members.length - 1);
    for (const pick of root.fork(alphabet).sample(members.length, held)) out[members[pick]!] = 'validation';
  }
  return out;
}
