/**
 * Meta-trains a model outside the service, resumably: `npm run train -- --config <json> --out <file>`.
 * The config is a training-job config (as POST /training-jobs takes; give a seed for a
 * reproducible run). Checkpoints and per-iteration metrics go to a work folder (default
 * .data/train/<name>); running the same command again resumes from the last checkpoint.
 * At the end the model (safetensors, with the config, seed, iterations, wall time, backend and
 * test metrics in its metadata) is written to --out, plus <out>.json with the metrics. The
 * learning curves (as GET /training-jobs/:id/curve.svg draws them) go to <out>.curve.svg after
 * every validation.
 * --keep <prefix> also writes the latest checkpoint to <prefix>.checkpoint.safetensors (with
 * <prefix>.checkpoint.json and <prefix>.metrics.jsonl) after every checkpoint, overwriting them:
 * commit those files and a fresh clone resumes the run with the same command. Each finished stage's
 * model is kept as <prefix>.stage<i>.safetensors as well.
 */
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../src/shared/config.ts';
import { selectBackend } from '../src/tf/backend.ts';
import { FsArtifactStore } from '../src/shared/storage/fs-artifact-store.ts';
import { resolveTrainingConfig, type TrainingConfigInput } from '../src/shared/jobs/training-config.ts';
import type { TrainingContext } from '../src/worker/training/context.ts';
import { renderLearningCurveSvg, type CurveMetric } from '../src/shared/jobs/curve-svg.ts';
import { runTraining } from '../src/worker/training/run.ts';
import { taskSourceFor } from '../src/worker/training/sources.ts';

const { values } = parseArgs({ options: { config: { type: 'string' }, out: { type: 'string' }, work: { type: 'string' }, keep: { type: 'string' } } });
if (!values.config || !values.out) {
  console.error('usage: npm run train -- --config <config.json> --out <model.safetensors> [--work <dir>] [--keep <prefix>]');
  process.exit(2);
}
const service = loadConfigOrExit();
const input = JSON.parse(await readFile(values.config, 'utf8')) as TrainingConfigInput;
if (input.seed === undefined) throw new Error('give a "seed" in the config: the run must be reproducible');
const config = resolveTrainingConfig(input, () => 0);
const work = path.resolve(values.work ?? path.join('.data', 'train', config.name));
await mkdir(path.dirname(path.resolve(values.out)), { recursive: true });
await mkdir(work, { recursive: true });
const store = new FsArtifactStore(path.join(work, 'checkpoints'));
const pointerFile = path.join(work, 'resume.json');
const metricsFile = path.join(work, 'metrics.jsonl');
const backend = await selectBackend(service.tfjsBackend);
console.log(JSON.stringify({ msg: 'training', config, backend: backend.name, reason: backend.reason, work }));

/** The learning curves so far, from metrics.jsonl, to <out>.curve.svg. */
async function writeCurve(): Promise<void> {
  type Line = { iteration: number; metaLoss: number; accuracy: number | null; validation?: { accuracy: number | null; ci95: number | null } };
  const lines = (await readFile(metricsFile, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);
  const metrics: CurveMetric[] = lines.map((l) => ({
    iteration: l.iteration,
    metaLoss: l.metaLoss,
    accuracy: l.accuracy,
    validationAccuracy: l.validation?.accuracy ?? null,
    validationCi95: l.validation?.ci95 ?? null,
  }));
  const subtitle = `${config.algorithm} · ${config.nWay}-way ${config.kShot}-shot · meta-batch ${config.metaBatchSize} · seed ${config.seed} · iteration ${lines.at(-1)?.iteration ?? 0} of ${config.iterations}`;
  await writeFile(`${values.out}.curve.svg`, renderLearningCurveSvg(metrics, { title: config.name, subtitle }));
}

interface Pointer {
  sha256: string;
  iteration: number;
  trainingSeconds: number;
}
const readPointer = async (): Promise<Pointer | null> => JSON.parse(await readFile(pointerFile, 'utf8').catch(() => 'null')) as Pointer | null;
const kept = values.keep
  ? { checkpoint: `${values.keep}.checkpoint.safetensors`, pointer: `${values.keep}.checkpoint.json`, metrics: `${values.keep}.metrics.jsonl` }
  : null;
if (kept && !(await readPointer())) {
  // A fresh work folder: resume from the kept (committed) checkpoint when there is one.
  const pointer = JSON.parse(await readFile(kept.pointer, 'utf8').catch(() => 'null')) as Pointer | null;
  if (pointer) {
    const { sha256 } = await store.put(await readFile(kept.checkpoint));
    await writeFile(metricsFile, await readFile(kept.metrics, 'utf8').catch(() => ''));
    await writeFile(pointerFile, JSON.stringify({ ...pointer, sha256 }));
    console.log(JSON.stringify({ msg: `resuming from the kept checkpoint ${kept.checkpoint}`, iteration: pointer.iteration }));
  }
}
let lastLog = 0;
const controller = new AbortController();
process.once('SIGINT', () => controller.abort('stop'));
process.once('SIGTERM', () => controller.abort('stop'));

const ctx: TrainingContext = {
  backend: backend.name,
  log: (message) => console.log(JSON.stringify({ msg: message })),
  async resumePoint() {
    const pointer = await readPointer();
    if (!pointer) return null;
    const kept = (await readFile(metricsFile, 'utf8').catch(() => ''))
      .split('\n')
      .filter((line) => line && (JSON.parse(line) as { iteration: number }).iteration <= pointer.iteration);
    await writeFile(metricsFile, kept.map((l) => `${l}\n`).join(''));
    return {
      id: pointer.sha256.slice(0, 12),
      checkpoint: await store.get(pointer.sha256),
      iteration: pointer.iteration,
      trainingSeconds: pointer.trainingSeconds,
    };
  },
  async storeCheckpoint(bytes, iteration, trainingSeconds) {
    const previous = await readPointer();
    const { sha256 } = await store.put(bytes);
    await writeFile(`${pointerFile}.tmp`, JSON.stringify({ sha256, iteration, trainingSeconds }));
    await rename(`${pointerFile}.tmp`, pointerFile);
    if (previous && previous.sha256 !== sha256) await store.delete(previous.sha256);
    if (kept) {
      await mkdir(path.dirname(path.resolve(kept.checkpoint)), { recursive: true });
      await writeFile(`${kept.checkpoint}.tmp`, bytes);
      await rename(`${kept.checkpoint}.tmp`, kept.checkpoint);
      await writeFile(kept.pointer, `${JSON.stringify({ sha256, iteration, trainingSeconds }, null, 2)}\n`);
      await writeFile(kept.metrics, await readFile(metricsFile, 'utf8').catch(() => ''));
    }
  },
  async shouldStop() {
    return controller.signal.aborted ? 'handed-back' : null;
  },
  async flushMetrics(rows, validation) {
    const lines = rows.map((r) => ({ ...r, ...(validation && validation.iteration === r.iteration ? { validation } : {}) }));
    if (lines.length) await appendFile(metricsFile, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    if (validation) {
      console.log(JSON.stringify({ msg: 'validation', ...validation }));
      await writeCurve();
    }
  },
  progress(p) {
    if (Date.now() - lastLog < 30_000) return;
    lastLog = Date.now();
    console.log(JSON.stringify({ msg: 'progress', ...p, tasksPerSecond: Math.round(p.tasksPerSecond * 10) / 10, etaSeconds: Math.round(p.etaSeconds) }));
  },
  async stageModel(index, model) {
    // Each finished stage's best θ beside the work folder's checkpoints (bench:accuracy --model …).
    const file = path.join(work, `stage${index + 1}.safetensors`);
    await writeFile(file, model);
    // Kept beside the committed checkpoint too (a few hundred KB): a later session can still measure it.
    if (values.keep) await writeFile(`${values.keep}.stage${index + 1}.safetensors`, model);
    console.log(
      JSON.stringify({ msg: `stage ${index + 1} model written to ${file}${values.keep ? ` and ${values.keep}.stage${index + 1}.safetensors` : ''}` }),
    );
  },
  async registerModel(checkpoint, metrics) {
    await mkdir(path.dirname(path.resolve(values.out!)), { recursive: true });
    await writeFile(values.out!, checkpoint);
    await writeFile(`${values.out}.json`, `${JSON.stringify({ config, backend: backend.name, metrics }, null, 2)}\n`);
    await writeCurve();
    return path.resolve(values.out!);
  },
};

const outcome = await runTraining(ctx, config, await taskSourceFor(config, service), { threads: service.trainingThreads, backend: service.tfjsBackend });
console.log(JSON.stringify({ msg: 'done', ...outcome }));
process.exit(0);
