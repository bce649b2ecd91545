import { type MetaAlgorithm, type MetaConfigBase, filledRates, gradientAlgorithm } from '../algorithm.ts';

/**
 * Meta-SGD (Li et al. 2017): a learned inner rate per parameter element (same shapes as θ,
 * initialised to `innerLr`), meta-learned with θ by the outer optimiser; second order.
 */
export function metaSgd(config: MetaConfigBase): MetaAlgorithm {
  return gradientAlgorithm(
    'metasgd',
    config,
    (params) => filledRates(params, (p) => p.shape, config.innerLr),
    (state) => ({ lr: { perParameter: state.rates }, firstOrder: false }),
  );
}
