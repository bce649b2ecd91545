/** Support-set labels: any printable text (unicode welcome), one per image; distinct ones become output units. */
import { HttpError } from '../../../shared/errors.ts';
import type { ServableModel } from '../../inference/model-catalog.ts';

export const MAX_LABEL_LENGTH = 200;
// C0/C1 controls, DEL, and bidi overrides/isolates (they make labels display misleadingly).
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

export interface LabelPlan {
  /** Distinct labels in order of first appearance: label i is output unit i. */
  readonly distinct: string[];
  /** Output unit of each image. */
  readonly units: Int32Array;
  readonly shots: Record<string, number>;
}

/** 422: the support set's class count is outside the model's range (src/api/routes/sessions/fitting.ts names one that fits). */
export class ClassCountError extends HttpError {
  constructor(
    readonly classes: number,
    readonly model: string,
    fits: string,
    hint = '',
  ) {
    super(
      422,
      'CLASS_COUNT_UNSUPPORTED',
      `the support set has ${classes} distinct label${classes === 1 ? '' : 's'}; model ${model} takes ${fits} classes${hint}`,
    );
  }
}

export function planLabels(labels: readonly string[], imageCount: number, model: ServableModel): LabelPlan {
  if (labels.length !== imageCount) {
    throw new HttpError(400, 'LABEL_COUNT_MISMATCH', `${labels.length} labels for ${imageCount} images: give exactly one label per image`);
  }
  if (imageCount === 0) throw new HttpError(400, 'NO_IMAGES', 'the support set is empty');
  const units = new Int32Array(labels.length);
  const index = new Map<string, number>();
  const shots: Record<string, number> = {};
  labels.forEach((raw, i) => {
    const label = raw.normalize('NFC');
    if (label.trim().length === 0 || label.length > MAX_LABEL_LENGTH || FORBIDDEN.test(label)) {
      throw new HttpError(400, 'INVALID_LABEL', `label ${i} must be 1 to ${MAX_LABEL_LENGTH} characters of text without control characters`);
    }
    if (!index.has(label)) index.set(label, index.size);
    units[i] = index.get(label)!;
    shots[label] = (shots[label] ?? 0) + 1;
  });
  const ways = index.size;
  const { min, max } = model.ways;
  if (ways < min || ways > max) {
    const fits = min === max ? `exactly ${min}` : `${min} to ${max}`;
    throw new ClassCountError(ways, model.row.name, fits);
  }
  return { distinct: [...index.keys()], units, shots };
}
