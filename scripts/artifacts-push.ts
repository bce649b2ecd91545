/**
 * `npm run artifacts:push`: after switching ARTIFACT_STORE from `fs` to `postgres` or `s3`, run once
 * on the machine that holds WEIGHTS_DIR so every replica can read the existing models, datasets
 * and checkpoints. Exits 1 when some referenced artifact is nowhere to be found.
 */
import { loadConfigOrExit } from '../src/shared/config.ts';
import { createDb } from '../src/shared/db/client.ts';
import { createArtifactStore } from '../src/shared/storage/create-artifact-store.ts';
import { pushLocalArtifacts } from '../src/shared/storage/push-local.ts';

const config = loadConfigOrExit();
const db = createDb(config.databaseUrl);
const { local, shared, close } = await createArtifactStore(config.artifacts, config.weightsDir, config.databaseUrl);
if (!shared) {
  console.error('ARTIFACT_STORE is fs: there is no shared store to push to (set ARTIFACT_STORE=postgres or s3)');
  process.exit(2);
}
try {
  const report = await pushLocalArtifacts(db, local, shared);
  console.log(
    JSON.stringify({
      msg: 'artifacts pushed',
      store: config.artifacts.kind,
      referenced: report.referenced,
      pushed: report.pushed.length,
      alreadyShared: report.alreadyShared,
      missing: report.missing,
    }),
  );
  process.exitCode = report.missing.length > 0 ? 1 : 0;
} finally {
  await close();
  await db.$disconnect();
}
