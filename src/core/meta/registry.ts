import type { MetaAlgorithm, MetaAlgorithmName, MetaConfigBase } from './algorithm.ts';
import { anil } from './algorithms/anil.ts';
import { fomaml, maml } from './algorithms/maml.ts';
import { type MamlPlusPlusConfig, mamlPlusPlus } from './algorithms/mamlpp.ts';
import { metaSgd } from './algorithms/metasgd.ts';
import { reptile } from './algorithms/reptile.ts';

/** Configuration of a meta-learning algorithm, by name (serialisable: stored with training jobs). */
export type MetaAlgorithmConfig =
  | ({ readonly kind: Exclude<MetaAlgorithmName, 'mamlpp'> } & MetaConfigBase)
  | ({ readonly kind: 'mamlpp' } & MamlPlusPlusConfig);

export class InvalidMetaConfigError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
  ) {
    super(`invalid meta-algorithm config: ${field} = ${JSON.stringify(value)}`);
    this.name = 'InvalidMetaConfigError';
  }
}

/** The algorithm for a config (MAML, FOMAML, MAML++, Meta-SGD, ANIL, Reptile). */
export function createMetaAlgorithm(config: MetaAlgorithmConfig): MetaAlgorithm {
  validate(config);
  switch (config.kind) {
    case 'maml':
      return maml(config);
    case 'fomaml':
      return fomaml(config);
    case 'mamlpp':
      return mamlPlusPlus(config);
    case 'metasgd':
      return metaSgd(config);
    case 'anil':
      return anil(config);
    case 'reptile':
      return reptile(config);
  }
}

function validate(config: MetaAlgorithmConfig): void {
  if (!Number.isInteger(config.innerSteps) || config.innerSteps < 0) throw new InvalidMetaConfigError('innerSteps', config.innerSteps);
  if (!Number.isFinite(config.innerLr)) throw new InvalidMetaConfigError('innerLr', config.innerLr);
  if (!(config.optimizer.lr > 0)) throw new InvalidMetaConfigError('optimizer.lr', config.optimizer.lr);
  if (config.clipNorm !== undefined && !(config.clipNorm > 0)) throw new InvalidMetaConfigError('clipNorm', config.clipNorm);
  if (config.kind === 'mamlpp') {
    if (!(config.multiStepLossSteps >= 0)) throw new InvalidMetaConfigError('multiStepLossSteps', config.multiStepLossSteps);
    if (!(config.firstOrderSteps >= 0)) throw new InvalidMetaConfigError('firstOrderSteps', config.firstOrderSteps);
  }
}
