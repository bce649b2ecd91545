/**
 * A MetaGradientPool thread: its own TensorFlow.js backend (wasm with the native kernels by
 * default), the network, and the shared image store. Per step it reads θ (and learned rates) from
 * the shared input buffer, builds its share of the tasks from their plans, runs the core's
 * metaGradient and writes the mean gradients of its share into its region of the output buffer.
 * A share of supervised plans (pre-training) is one batch: the mean cross-entropy's gradient.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { unregisterFastKernels } from '../../kernels/index.ts';
import { type InnerLearningRate, metaGradient } from '../../core/meta/index.ts';
import { createNetwork } from '../../core/nets/index.ts';
import { buildImageTask, buildSinusoidTask } from '../../core/tasks/index.ts';
import * as tf from '../../core/tf.ts';
import type { Network, Params, Task } from '../../core/types.ts';
import { selectBackend } from '../../tf/backend.ts';
import { type PackedLayout, layoutOf, unpackViews } from './packing.ts';
import {
  type PoolTaskPlan,
  type StepRequest,
  type ThreadConfig,
  type ThreadReply,
  type ThreadRequest,
  NoImageStoreError,
  isImagePlan,
  isSupervisedPlan,
  serializeError,
} from './protocol.ts';
import { supervisedGradient } from '../../core/supervised.ts';
import { buildSupervisedBatch, type SupervisedPlan } from '../../core/tasks/supervised-plan.ts';

const config = workerData as ThreadConfig;
const port = parentPort!;
const send = (reply: ThreadReply) => port.postMessage(reply);

function buildTask(plan: PoolTaskPlan): Task {
  if (isSupervisedPlan(plan)) throw new Error('a supervised plan is not a task');
  if (!isImagePlan(plan)) return buildSinusoidTask(plan);
  if (config.store === null) throw new NoImageStoreError();
  return buildImageTask(config.store, plan);
}

/** Tensors holding copies of the packed values (a copy: a backend may keep the array it is given). */
function tensorsOf(layout: PackedLayout, packed: Float32Array, base: number): Params {
  const views = unpackViews(layout, packed, base);
  const out: Params = {};
  for (const { name, shape } of layout.entries) out[name] = tf.tensor(views[name]!.slice(), [...shape], 'float32');
  return out;
}

function learningRate(rates: Params): InnerLearningRate {
  const lr = config.algorithm.lr;
  if (typeof lr === 'number') return lr;
  return lr === 'perStep' ? { perStep: rates } : { perParameter: rates };
}

/** A data-parallel pre-training share: the batch's mean cross-entropy gradient into this thread's region. */
function supervisedStep(net: Network, layout: PackedLayout, request: StepRequest, plans: readonly SupervisedPlan[]): ThreadReply {
  const started = performance.now();
  if (config.store === null) throw new NoImageStoreError();
  const params = tensorsOf(layout, new Float32Array(request.input), 0);
  const batch = buildSupervisedBatch(config.store, plans);
  try {
    const result = supervisedGradient(net as Network<tf.Tensor4D>, params, batch);
    const output = new Float32Array(request.output);
    for (const { name, offset } of layout.entries) output.set(result.grads[name]!.dataSync(), request.outputOffset + offset);
    tf.dispose(Object.values(result.grads));
    return {
      kind: 'result',
      id: request.id,
      count: plans.length,
      objective: result.loss,
      loss: result.loss,
      accuracy: result.accuracy,
      ms: performance.now() - started,
    };
  } finally {
    tf.dispose([batch.x, batch.y, ...Object.values(params)]);
  }
}

function step(net: Network, layout: PackedLayout, request: StepRequest): ThreadReply {
  if (request.plans.length > 0 && request.plans.every(isSupervisedPlan)) return supervisedStep(net, layout, request, request.plans as SupervisedPlan[]);
  const started = performance.now();
  const input = new Float32Array(request.input);
  const rateLayout = layoutOf(request.rates);
  const params = tensorsOf(layout, input, 0);
  const rates = tensorsOf(rateLayout, input, layout.size);
  const tasks: Task[] = [];
  try {
    for (const plan of request.plans) tasks.push(buildTask(plan));
    const { algorithm } = config;
    const firstOrder = request.overrides.firstOrder ?? algorithm.firstOrder;
    const stepWeights = request.overrides.stepWeights ?? algorithm.stepWeights;
    const result = metaGradient(net, params, tasks, {
      steps: algorithm.steps,
      lr: learningRate(rates),
      ...(firstOrder !== undefined ? { firstOrder } : {}),
      ...(algorithm.only ? { only: algorithm.only } : {}),
      ...(stepWeights ? { stepWeights } : {}),
    });
    const output = new Float32Array(request.output);
    try {
      for (const { name, offset, size } of layout.entries) {
        const grad = result.grads[name]; // none for a network's buffers (frozen moments): zeros
        if (grad) output.set(grad.dataSync(), request.outputOffset + offset);
        else output.fill(0, request.outputOffset + offset, request.outputOffset + offset + size);
      }
      for (const { name, offset } of rateLayout.entries) output.set(result.rateGrads[name]!.dataSync(), request.outputOffset + layout.size + offset);
    } finally {
      tf.dispose([...Object.values(result.grads), ...Object.values(result.rateGrads)]);
    }
    const { objective, loss, accuracy } = result;
    return { kind: 'result', id: request.id, count: tasks.length, objective, loss, accuracy, ms: performance.now() - started };
  } finally {
    tf.dispose([...Object.values(params), ...Object.values(rates)]);
    for (const task of tasks) tf.dispose([task.supportX, task.supportY, task.queryX, task.queryY]);
  }
}

async function main(): Promise<void> {
  const info = await selectBackend(config.backend);
  const fastKernels = config.fastKernels ? (info.fastKernels?.registered ?? []) : (unregisterFastKernels(tf), []);
  const net = createNetwork(config.spec);
  const initial = net.init(0);
  const shapes = Object.entries(initial).map(([name, t]) => ({ name, shape: t.shape }));
  tf.dispose(Object.values(initial));
  const layout = layoutOf(shapes);
  port.on('message', (request: ThreadRequest) => {
    if (request.kind === 'close') {
      port.close();
      return;
    }
    if (request.kind === 'memory') {
      send({ kind: 'memory', id: request.id, numTensors: tf.memory().numTensors });
      return;
    }
    try {
      send(step(net, layout, request));
    } catch (error) {
      send({ kind: 'error', id: request.id, error: serializeError(error) });
    }
  });
  send({ kind: 'ready', layout: shapes, backend: info.name, fastKernels });
}

main().catch((error: unknown) => send({ kind: 'failed', error: serializeError(error) }));
