import { type MetaAlgorithm, type MetaConfigBase, filledRates, gradientAlgorithm } from '../algorithm.ts';

export interface MamlPlusPlusConfig extends MetaConfigBase {
  /** Meta-steps over which the multi-step loss anneals to the last step's loss (0: last step only). */
  readonly multiStepLossSteps: number;
  /** Derivative-order annealing: first order for this many meta-steps, then second order. */
  readonly firstOrderSteps: number;
}

/**
 * MAML++ (Antoniou et al. 2019): learned per-layer, per-step inner rates (LSLR), the multi-step
 * loss (MSL) annealed towards the final step, and derivative-order annealing (DA). Batch norm
 * uses batch statistics, so per-step BN statistics do not apply.
 */
export function mamlPlusPlus(config: MamlPlusPlusConfig): MetaAlgorithm {
  return gradientAlgorithm(
    'mamlpp',
    config,
    (params) => filledRates(params, () => [config.innerSteps], config.innerLr),
    (state) => ({
      lr: { perStep: state.rates },
      firstOrder: state.step < config.firstOrderSteps,
      stepWeights: multiStepLossWeights(config.innerSteps, state.step, config.multiStepLossSteps),
    }),
  );
}

/**
 * MAML++'s loss weights at meta-step `step` (their `get_per_step_loss_importance_vector`, with
 * meta-steps for epochs): uniform 1/K at first, non-final weights decaying to 0.03/K over
 * `annealSteps`, the final weight taking the rest; after annealing, only the final step counts.
 */
export function multiStepLossWeights(steps: number, step: number, annealSteps: number): number[] {
  if (steps === 0) return [];
  if (annealSteps <= 0 || step >= annealSteps) return Array.from({ length: steps }, (_, i) => (i === steps - 1 ? 1 : 0));
  const decay = 1 / steps / annealSteps;
  const floor = 0.03 / steps;
  const weights = Array.from({ length: steps - 1 }, () => Math.max(1 / steps - step * decay, floor));
  weights.push(Math.min(1 / steps + step * (steps - 1) * decay, 1 - (steps - 1) * floor));
  return weights;
}
