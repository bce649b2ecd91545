/**
 * Experiment (issue 18): from how many images does a lone request gain from a second kernel
 * thread? For each shipped model (models/*.safetensors), the in-process work of /adapt (its
 * served settings, n support images) and of /predict (n images against that session's θ′ and
 * moments), median of --reps runs on 1 and on 2 kernel threads (src/kernels/threads.ts), as the
 * inference thread runs them (src/api/inference/thread.ts), image decoding left out. The answer
 * sets MIN_IMAGES_FOR_THREADS in src/api/inference/kernel-threads.ts. Run it on an idle machine:
 *   npx tsx scripts/experiments/kernel-threads.ts [--images 5,10,15,20,40] [--reps 30]
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { adapt, predict } from '../../src/core/adapt.ts';
import { adaptFast, predictFast } from '../../src/core/serving.ts';
import * as tf from '../../src/core/tf.ts';
import { loadServingModel } from '../../src/api/inference/serving-model.ts';
import { evaluationDrawings } from '../../src/data/testing/drawings.ts';
import { setKernelThreads } from '../../src/kernels/index.ts';
import { selectBackend } from '../../src/tf/backend.ts';

const { values } = parseArgs({ options: { images: { type: 'string', default: '5,10,15,20,40' }, reps: { type: 'string', default: '30' } } });
const counts = values.images.split(',').map(Number);
const reps = Number(values.reps);
const omniglot = process.env.OMNIGLOT_DIR ?? path.resolve(import.meta.dirname, '../../../shared/data/omniglot');
await selectBackend('wasm'); // with the native kernels (src/kernels)

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
function timeIt(threads: number, f: () => void): number {
  const previous = setKernelThreads(threads);
  try {
    for (let i = 0; i < 3; i++) f();
    return median(
      Array.from({ length: reps }, () => {
        const started = performance.now();
        f();
        return performance.now() - started;
      }),
    );
  } finally {
    setKernelThreads(previous);
  }
}

const rows: Record<string, unknown>[] = [];
for (const name of ['omniglot', 'omniglot-5way']) {
  const m = loadServingModel(await readFile(path.resolve(import.meta.dirname, `../../models/${name}.safetensors`)), name);
  const ways = m.params['head.bias']?.shape[0] ?? 5;
  const { steps, headOnly } = m.settings;
  const only = headOnly ? m.net.headNames : undefined;
  const drawings = await evaluationDrawings(omniglot, m.metadata.preprocessing!, 5, Math.ceil(Math.max(...counts) / 5));
  for (const n of counts) {
    const x = tf.tidy(() => tf.concat(Array.from({ length: Math.ceil(n / 5) }, () => drawings.x)).slice(0, n) as tf.Tensor4D);
    const y = tf.tensor1d(
      Array.from({ length: n }, (_, i) => i % Math.min(5, ways)),
      'int32',
    );
    const q = drawings.q.slice(0, n) as tf.Tensor4D;
    const options = { steps, lr: m.lr, ...(only ? { only } : {}) };
    const run = () => adaptFast(m.net, m.params, { x, y }, { ...options, moments: true }) ?? adapt(m.net, m.params, { x, y }, options);
    const session = run();
    const moments = session.moments;
    const theta = { ...m.params, ...session.params };
    const adaptOnce = () => {
      const r = run();
      tf.dispose([...Object.values(r.params).filter((t) => !Object.values(m.params).includes(t)), ...(r.moments ?? []).flatMap((l) => [l.mean, l.variance])]);
    };
    const predictOnce = () =>
      tf.tidy(() => (predictFast(m.net, theta, q, moments ? { moments } : {}) ?? predict(m.net, theta, q, moments ? { moments } : {})).dataSync());
    const row = {
      model: name,
      images: n,
      adapt1: timeIt(1, adaptOnce),
      adapt2: timeIt(2, adaptOnce),
      predict1: timeIt(1, predictOnce),
      predict2: timeIt(2, predictOnce),
    };
    rows.push({ ...row, adaptRatio: +(row.adapt2 / row.adapt1).toFixed(2), predictRatio: +(row.predict2 / row.predict1).toFixed(2) });
    console.error(JSON.stringify(rows.at(-1)));
    tf.dispose([x, y, q]);
  }
}
console.log(JSON.stringify(rows, (_, v) => (typeof v === 'number' ? Math.round(v * 1000) / 1000 : v), 2));
