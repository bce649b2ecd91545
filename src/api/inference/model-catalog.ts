/**
 * The API's view of servable models: registry rows (briefly cached, so adapt/predict with a model
 * already in use keep working through a PostgreSQL outage) and each model's checkpoint metadata
 * (preprocessing, network spec, test-time settings: from the row, src/shared/models/metadata.ts;
 * cached per weights digest, which never changes). The weights themselves are fetched only for the
 * inference threads (src/api/inference/pool.ts).
 */
import type { CheckpointMetadata } from '../../core/checkpoint/index.ts';
import type { Db } from '../../shared/db/client.ts';
import { DependencyUnavailableError, HttpError, NotFoundError } from '../../shared/errors.ts';
import type { Model } from '../../generated/prisma/client.ts';
import { findModel } from '../../shared/models/lookup.ts';
import { modelMetadata } from '../../shared/models/metadata.ts';
import type { ArtifactStore } from '../../shared/storage/artifact-store.ts';
import { servableWays } from '../../core/nets/create.ts';
import { inferenceSettings, type InferenceSettings } from './serving-model.ts';

export interface ServableModel {
  readonly row: Model;
  readonly metadata: CheckpointMetadata;
  readonly settings: InferenceSettings;
  /** Fewest and most classes a session may have. */
  readonly ways: { readonly min: number; readonly max: number };
}

const DEFAULT_KEY = '\u0000default';

export class ModelCatalog {
  private readonly rows = new Map<string, { row: Model; fetched: number }>();
  private readonly metadata = new Map<string, Promise<CheckpointMetadata>>();

  constructor(
    private readonly db: Db,
    private readonly store: ArtifactStore,
    private readonly ttlMs = 30_000,
  ) {}

  /** By id or name (latest version); the default model when `ref` is absent. */
  async resolve(ref: string | undefined): Promise<ServableModel> {
    const row = await this.row(ref);
    if (row.status !== 'ready') throw new HttpError(409, 'MODEL_NOT_READY', `model ${row.id} is ${row.status}`);
    const metadata = await this.checkpointMetadata(row);
    const ways = servableWays(metadata.spec, row.nWay);
    return { row, metadata, settings: inferenceSettings(metadata), ways };
  }

  /** Forgets cached rows (a promotion or deletion elsewhere). */
  invalidate(): void {
    this.rows.clear();
  }

  private async row(ref: string | undefined): Promise<Model> {
    const key = ref ?? DEFAULT_KEY;
    const cached = this.rows.get(key);
    if (cached && Date.now() - cached.fetched < this.ttlMs) return cached.row;
    let row: Model | null;
    try {
      row = ref === undefined ? await this.db.model.findFirst({ where: { isDefault: true } }) : await findModel(this.db, ref);
    } catch (error) {
      if (error instanceof DependencyUnavailableError && cached) return cached.row; // PostgreSQL down: keep serving what we know
      throw error;
    }
    if (!row) throw new NotFoundError('model', ref ?? 'default');
    const entry = { row, fetched: Date.now() };
    this.rows.set(key, entry);
    this.rows.set(row.id, entry); // sessions resolve their model by id: known even while PostgreSQL is down
    return row;
  }

  /** From the registry row (older rows: from the weights file's header, once); cached per weights digest. */
  private checkpointMetadata(row: Model): Promise<CheckpointMetadata> {
    const sha256 = row.weightsSha256;
    let entry = this.metadata.get(sha256);
    if (!entry) {
      entry = modelMetadata(this.db, this.store, row);
      entry.catch(() => this.metadata.delete(sha256));
      this.metadata.set(sha256, entry);
    }
    return entry;
  }
}
