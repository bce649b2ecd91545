/**
 * Learning-rate schedules, as a factor of the base rate at a step (0-based): 'constant', or
 * 'cosine' from 1 at step 0 to `floor` at `steps` (and after), as torch's CosineAnnealingLR.
 */
export type LearningRateSchedule = { readonly kind: 'constant' } | { readonly kind: 'cosine'; readonly steps: number; readonly floor?: number };

export function scheduleFactor(schedule: LearningRateSchedule | undefined, step: number): number {
  if (!schedule || schedule.kind === 'constant') return 1;
  const floor = schedule.floor ?? 0;
  const t = Math.min(Math.max(step, 0) / Math.max(schedule.steps, 1), 1);
  return floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * t));
}
