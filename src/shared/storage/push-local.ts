/**
 * Moving a single-machine install onto a shared store: every artifact the registry refers to
 * (model weights, dataset files, job checkpoints) that the shared store lacks is streamed to it
 * from this machine's weights folder. Idempotent; reports what it could not find anywhere.
 */
import type { Db } from '../db/client.ts';
import type { ArtifactStore } from './artifact-store.ts';
import type { FsArtifactStore } from './fs-artifact-store.ts';

export interface PushReport {
  readonly referenced: number;
  readonly pushed: string[];
  readonly alreadyShared: number;
  /** Referenced by a row but neither here nor in the shared store. */
  readonly missing: string[];
}

export async function pushLocalArtifacts(db: Db, local: FsArtifactStore, shared: ArtifactStore): Promise<PushReport> {
  const [models, datasets, jobs] = await Promise.all([
    db.model.findMany({ select: { weightsSha256: true } }),
    db.dataset.findMany({ where: { artifactSha256: { not: null } }, select: { artifactSha256: true } }),
    db.trainingJob.findMany({ where: { checkpointSha256: { not: null } }, select: { checkpointSha256: true } }),
  ]);
  const digests = new Set([...models.map((m) => m.weightsSha256), ...datasets.map((d) => d.artifactSha256!), ...jobs.map((j) => j.checkpointSha256!)]);
  const pushed: string[] = [];
  const missing: string[] = [];
  let alreadyShared = 0;
  for (const sha256 of digests) {
    if (await shared.has(sha256)) alreadyShared += 1;
    else if (await local.has(sha256)) {
      await shared.putStream(await local.stream(sha256));
      pushed.push(sha256);
    } else missing.push(sha256);
  }
  return { referenced: digests.size, pushed, alreadyShared, missing };
}
