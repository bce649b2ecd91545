/**
 * Train / validation / test splits of Omniglot. The evaluation alphabets are always the test set
 * (touched only by final tests). Validation is held out of the background alphabets in one of two
 * ways:
 *  - 'alphabets' (the default): a seeded choice of whole background alphabets (never all), so validation
 *    predicts the test on unseen alphabets and can select checkpoints and stop pre-training;
 *  - 'characters': a seeded `fraction` of each background alphabet's characters (at least one when
 *    fraction > 0, never all). Validation then reads several points above the test (seen alphabets);
 *    kept for the models trained with it.
 */
import { Rng } from '../../core/tasks/rng.ts';

export type SplitOptions =
  | { readonly holdout: 'alphabets'; readonly alphabets: number; readonly seed: number }
  | { readonly holdout: 'characters'; readonly fraction: number; readonly seed: number };

/** 5 of the 30 background alphabets (≈ 16 %, 150–200 characters) for validation. */
export const DEFAULT_SPLIT: SplitOptions = { holdout: 'alphabets', alphabets: 5, seed: 0 };
/** The split of the models trained before alphabet-disjoint validation. */
export const CHARACTER_SPLIT: SplitOptions = { holdout: 'characters', fraction: 0.1, seed: 0 };

export class SplitOptionsError extends Error {
  constructor(
    readonly field: string,
    readonly actual: unknown,
  ) {
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
  const out: SplitName[] = classes.map((c) => (c.split === 'images_evaluation' ? 'test' : 'train'));
  const byAlphabet = new Map<string, number[]>();
  classes.forEach((c, i) => {
    if (c.split === 'images_background') byAlphabet.set(c.alphabet, [...(byAlphabet.get(c.alphabet) ?? []), i]);
  });
  const root = new Rng(options.seed);
  if (options.holdout === 'alphabets') {
    const names = [...byAlphabet.keys()].sort();
    if (!(Number.isInteger(options.alphabets) && options.alphabets >= 0)) throw new SplitOptionsError('alphabets', options.alphabets);
    const held = Math.min(options.alphabets, Math.max(0, names.length - 1)); // never all: training needs one
    for (const pick of root.fork('alphabets').sample(names.length, held)) {
      for (const member of byAlphabet.get(names[pick]!)!) out[member] = 'validation';
    }
    return out;
  }
  if (!(options.fraction >= 0 && options.fraction < 1)) throw new SplitOptionsError('fraction', options.fraction);
  for (const [alphabet, members] of byAlphabet) {
    const wanted = options.fraction > 0 ? Math.max(1, Math.round(members.length * options.fraction)) : 0;
    const held = Math.min(wanted, members.length - 1);
    for (const pick of root.fork(alphabet).sample(members.length, held)) out[members[pick]!] = 'validation';
  }
  return out;
}

/** The validation alphabets an alphabet split holds out (for provenance). */
export function validationAlphabets(classes: readonly SplitClass[], splits: readonly SplitName[]): string[] {
  return [...new Set(classes.filter((_, i) => splits[i] === 'validation').map((c) => c.alphabet))].sort();
}
