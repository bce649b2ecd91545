import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '../core/tf.ts';
import { BackendUnavailableError, isPackageMissing, probeNvidiaGpu, selectBackend, type BackendEnvironment } from './backend.ts';

test('auto picks wasm here (no native packages installed) and it computes', async () => {
  const info = await selectBackend('auto');
  assert.equal(info.name, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(info.version, '4.22.0');
  assert.match(info.reason, /@tensorflow\/tfjs-node-gpu not installed; @tensorflow\/tfjs-node not installed; using @tensorflow\/tfjs-backend-wasm/);
  const sum = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).arraySync());
  assert.deepEqual(sum, [4, 6]);
});

test("forcing 'node' or 'gpu' fails with a typed error naming the package", async () => {
  await assert.rejects(
    selectBackend('node'),
    (e: unknown) =>
      e instanceof BackendUnavailableError && e.packageName === '@tensorflow/tfjs-node' && e.reason === 'not installed' && /tfjs-node/.test(e.message),
  );
  await assert.rejects(selectBackend('gpu'), (e: unknown) => e instanceof BackendUnavailableError && e.packageName === '@tensorflow/tfjs-node-gpu');
  await assert.rejects(selectBackend('tpu' as 'cpu'), BackendUnavailableError);
});

test("'cpu' and 'wasm' can be forced", async () => {
  assert.equal((await selectBackend('cpu')).name, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  const info = await selectBackend('wasm');
  assert.equal(info.name, 'wasm');
  assert.equal(info.reason, "forced 'wasm'");
});

/** Native packages simulated (importing one registers a 'tensorflow' backend, as tfjs-node does); wasm/cpu real. */
function fakeEnvironment(installed: Record<string, 'ok' | 'broken'>, gpuVisible: boolean): BackendEnvironment & { imported: string[] } {
  const imported: string[] = [];
  return {
    imported,
    isInstalled: (name) => name in installed || !name.includes('tfjs-node'),
    probeGpu: async () => ({ visible: gpuVisible, detail: gpuVisible ? '/dev/nvidia0' : 'no /dev/nvidia<N> device' }),
    importModule: async (name) => {
      imported.push(name);
      if (installed[name] === 'ok') {
        if (tf.findBackendFactory('tensorflow') === null) tf.registerBackend('tensorflow', () => new MathBackendCPU());
        return { version: `9.9.9-${name.endsWith('gpu') ? 'gpu' : 'node'}` };
      }
      if (installed[name] === 'broken')
        throw Object.assign(new Error("Cannot find module '/x/node_modules/@tensorflow/tfjs-node/lib/tfjs_binding.node'"), { code: 'MODULE_NOT_FOUND' });
      if (!name.includes('tfjs-node')) return import(name);
      throw Object.assign(new Error(`Cannot find package '${name}' imported from /x`), { code: 'ERR_MODULE_NOT_FOUND' });
    },
  };
}

test('auto prefers tfjs-node-gpu with a visible GPU, then tfjs-node, and skips a broken install', async () => {
  const both = { '@tensorflow/tfjs-node-gpu': 'ok', '@tensorflow/tfjs-node': 'ok' } as const;
  try {
    const gpu = await selectBackend('auto', fakeEnvironment(both, true));
    assert.deepEqual([gpu.name, gpu.version, gpu.packageName], ['tensorflow', '9.9.9-gpu', '@tensorflow/tfjs-node-gpu']);
    assert.match(gpu.reason, /on \/dev\/nvidia0/);
    const noGpu = fakeEnvironment(both, false);
    const node = await selectBackend('auto', noGpu);
    assert.deepEqual([node.name, node.version], ['tensorflow', '9.9.9-node']);
    assert.match(node.reason, /tfjs-node-gpu no GPU visible/);
    assert.deepEqual(noGpu.imported, ['@tensorflow/tfjs-node'], 'tfjs-node-gpu is not loaded without a GPU');
    await assert.rejects(
      selectBackend('gpu', fakeEnvironment(both, false)),
      (e: unknown) => e instanceof BackendUnavailableError && /no GPU visible/.test(e.reason),
    );
    tf.removeBackend('tensorflow');
    const broken = fakeEnvironment({ '@tensorflow/tfjs-node': 'broken' }, false);
    const fallback = await selectBackend('auto', broken);
    assert.equal(fallback.name, 'wasm');
    assert.match(fallback.reason, /@tensorflow\/tfjs-node failed to load: Cannot find module/);
    await assert.rejects(
      selectBackend('node', broken),
      (e: unknown) => e instanceof BackendUnavailableError && e.cause instanceof Error && /failed to load/.test(e.reason),
    );
  } finally {
    if (tf.findBackendFactory('tensorflow') !== null) tf.removeBackend('tensorflow');
    await selectBackend('wasm');
  }
});

test('isPackageMissing tells a missing package from a failure inside one', () => {
  const missing = Object.assign(new Error("Cannot find package '@tensorflow/tfjs-node' imported from /a.ts"), { code: 'ERR_MODULE_NOT_FOUND' });
  const inner = Object.assign(new Error("Cannot find module '/n/@tensorflow/tfjs-node/lib/binding.node'"), { code: 'MODULE_NOT_FOUND' });
  assert.equal(isPackageMissing(missing, '@tensorflow/tfjs-node'), true);
  assert.equal(isPackageMissing(inner, '@tensorflow/tfjs-node'), false);
  assert.equal(isPackageMissing(new Error('boom'), '@tensorflow/tfjs-node'), false);
});

test('probeNvidiaGpu looks for /dev/nvidia<N> and honours CUDA_VISIBLE_DEVICES', async () => {
  const dev = await mkdtemp(path.join(tmpdir(), 'dev-'));
  try {
    await writeFile(path.join(dev, 'nvidiactl'), '');
    assert.equal((await probeNvidiaGpu({}, dev)).visible, false);
    await writeFile(path.join(dev, 'nvidia0'), '');
    assert.deepEqual(await probeNvidiaGpu({}, dev), { visible: true, detail: `${dev}/nvidia0` });
    assert.equal((await probeNvidiaGpu({ CUDA_VISIBLE_DEVICES: '-1' }, dev)).visible, false);
    assert.equal((await probeNvidiaGpu({ CUDA_VISIBLE_DEVICES: '0' }, dev)).visible, true);
    assert.equal((await probeNvidiaGpu({}, path.join(dev, 'missing'))).visible, false);
  } finally {
    await rm(dev, { recursive: true });
  }
});
