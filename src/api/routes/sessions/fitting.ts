/**
 * Names a model that fits when a support set has more (or fewer) classes than the chosen model
 * serves: 422 CLASS_COUNT_UNSUPPORTED then says which ready model takes that many classes and how
 * to ask for it. Reads registry rows only (a model's class range comes from its architecture,
 * servableWays); the default model first, then the newest. A lookup failure keeps the original error.
 */
import { servableWays } from '../../../core/nets/create.ts';
import type { NetworkSpec } from '../../../core/types.ts';
import type { Db } from '../../../shared/db/client.ts';
import { HttpError } from '../../../shared/errors.ts';
import { ClassCountError } from './labels.ts';

/** The name of a ready model other than `except` that serves `classes` classes, if any. */
export async function modelForClasses(db: Db, classes: number, except: string): Promise<string | undefined> {
  const rows = await db.model.findMany({ where: { status: 'ready' }, orderBy: [{ isDefault: 'desc' }, { createdAt: 'desc' }], take: 100 });
  const fit = rows.find((row) => {
    if (row.name === except) return false;
    const { min, max } = servableWays(row.architecture as unknown as NetworkSpec, row.nWay);
    return classes >= min && classes <= max;
  });
  return fit?.name;
}

/** Runs `plan` (planLabels); its ClassCountError comes back naming a model that fits (details.fittingModel). */
export async function withFittingModel<T>(db: Db, plan: () => T): Promise<T> {
  try {
    return plan();
  } catch (error) {
    if (!(error instanceof ClassCountError) || error.classes < 2) throw error;
    const fit = await modelForClasses(db, error.classes, error.model).catch(() => undefined);
    const hint = fit
      ? `; model ${fit} takes ${error.classes}: send "model": "${fit}" (a multipart field, or in the JSON body)`
      : `; no ready model takes ${error.classes}`;
    throw new HttpError(422, error.code, error.message + hint, fit ? { fittingModel: fit } : undefined);
  }
}
