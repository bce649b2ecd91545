/**
 * Seeds the registry with the models shipped in the repository (models/manifest.json) on start-up:
 * each file not yet registered (by sha256) becomes a model; the one marked `default` is promoted
 * when no model is the default yet. Idempotent and safe to run concurrently (a lock per file), so
 * every API replica runs it at start-up.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../db/client.ts';
import type { ArtifactStore } from '../storage/artifact-store.ts';
import { sha256Hex } from '../storage/byte-streams.ts';
import { promoteModel, registerModelIn } from './registry.ts';
import { ARTIFACT_TRANSACTION } from '../storage/pg-artifact-store.ts';

export interface ShippedModel {
  readonly file: string;
  readonly name: string;
  readonly default?: boolean;
  /** A JSON file with { metrics } written by `npm run train`. */
  readonly metrics?: string;
}

export async function seedModels(db: Db, store: ArtifactStore, modelsDir: string): Promise<string[]> {
  const manifest = JSON.parse(await readFile(path.join(modelsDir, 'manifest.json'), 'utf8').catch(() => '[]')) as ShippedModel[];
  const seeded: string[] = [];
  for (const shipped of manifest) {
    const bytes = await readFile(path.join(modelsDir, shipped.file));
    const sha256 = sha256Hex(bytes);
    const { model, created } = await db.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`seed:${sha256}`}))`; // replicas starting together register it once
      const existing = await tx.model.findFirst({ where: { weightsSha256: sha256 } });
      if (existing) return { model: existing, created: false };
      const metrics = shipped.metrics
        ? ((JSON.parse(await readFile(path.join(modelsDir, shipped.metrics), 'utf8')) as { metrics?: Record<string, unknown> }).metrics ?? {})
        : {};
      return { model: await registerModelIn(tx, store, { name: shipped.name, checkpoint: bytes, metrics }), created: true };
    }, ARTIFACT_TRANSACTION);
    if (created) seeded.push(model.id);
    else if (!(await store.has(sha256))) await store.put(bytes); // the registry knows it but the store does not (an older single-machine install)
    if (shipped.default && !(await db.model.findFirst({ where: { isDefault: true } }))) await promoteModel(db, model.id);
  }
  return seeded;
}
