import { type MetaAlgorithm, type MetaConfigBase, gradientAlgorithm } from '../algorithm.ts';

/** MAML (Finn et al. 2017): fixed inner rate, exact second-order meta-gradient. */
export function maml(config: MetaConfigBase): MetaAlgorithm {
  return gradientAlgorithm(
    'maml',
    config,
    () => ({}),
    () => ({ lr: config.innerLr, firstOrder: false }),
  );
}

/** First-order MAML: the inner gradients are constants (meta-gradient = query gradient at θ′). */
export function fomaml(config: MetaConfigBase): MetaAlgorithm {
  return gradientAlgorithm(
    'fomaml',
    config,
    () => ({}),
    () => ({ lr: config.innerLr, firstOrder: true }),
  );
}
