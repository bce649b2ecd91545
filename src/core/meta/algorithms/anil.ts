import { type MetaAlgorithm, type MetaConfigBase, gradientAlgorithm } from '../algorithm.ts';

/**
 * ANIL (Raghu et al. 2020): the inner loop adapts only the head (body features computed once per
 * task); the meta-gradient (second order through the head) updates body and head.
 */
export function anil(config: MetaConfigBase): MetaAlgorithm {
  return gradientAlgorithm(
    'anil',
    config,
    () => ({}),
    (_, net) => ({ lr: config.innerLr, firstOrder: false, only: net.headNames }),
  );
}
