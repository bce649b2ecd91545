/**
 * Registration and failure behaviour: a missing, stale or broken addon registers nothing and
 * leaves the stock kernels in place; registering twice does not stack wrappers; unregistering
 * restores the stock configs; no tensor or wasm-heap byte is left behind, also when the native
 * call throws.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ADDON_VERSION, FOLD_BATCH_NORM, type KernelAddon, loadKernelAddon, registerFastKernels, unregisterFastKernels } from './index.ts';
import { skipReason, tf } from './test-support.ts';

const KERNELS = ['Conv2D', 'FusedConv2D', 'BatchMatMul', '_FusedMatMul', 'Identity'];
const dir = mkdtempSync(join(tmpdir(), 'maml-kernels-'));
const stockConfigs = () => KERNELS.map((name) => tf.getKernel(name, 'wasm'));

before(async () => {
  assert.ok(await tf.setBackend('wasm'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('a missing addon registers nothing, says why, and keeps the stock kernels', () => {
  const stock = stockConfigs();
  const result = registerFastKernels(tf, { addonPath: join(dir, 'absent.node') });
  assert.deepEqual(result.registered, []);
  assert.match(result.reason, /not built.*build-kernels/);
  assert.deepEqual(stockConfigs(), stock);
});

test('a stale or unloadable addon is reported, not thrown', () => {
  const stale = join(dir, 'stale.cjs');
  writeFileSync(stale, 'module.exports = { info: () => ({ version: 0, isa: "generic", mr: 4, nr: 16 }) };');
  const staleLoad = loadKernelAddon(stale);
  assert.equal(staleLoad.ok, false);
  assert.match(staleLoad.ok ? '' : staleLoad.reason, /stale \(version 0/);
  const broken = join(dir, 'broken.node');
  writeFileSync(broken, 'not a shared object');
  const result = registerFastKernels(tf, { addonPath: broken });
  assert.deepEqual(result.registered, []);
  assert.match(result.reason, /cannot load/);
});

test('registering twice keeps one wrapper; unregistering restores the stock configs', { skip: skipReason }, () => {
  const stock = stockConfigs();
  const first = registerFastKernels(tf);
  assert.deepEqual([...first.registered].sort(), [...KERNELS].sort());
  assert.match(first.reason, /isa (avx512|avx2|generic)/);
  const fast = stockConfigs();
  fast.forEach((config, i) => assert.notEqual(config, stock[i]));
  registerFastKernels(tf);
  assert.deepEqual(stockConfigs(), fast);
  assert.deepEqual(unregisterFastKernels(tf).sort(), [...KERNELS].sort());
  assert.deepEqual(stockConfigs(), stock);
});

test('repeated fast ops leave no tensors or wasm-heap bytes behind', { skip: skipReason }, () => {
  registerFastKernels(tf);
  try {
    const x = tf.randomUniform([4, 10, 10, 8], -1, 1) as tf.Tensor4D,
      w = tf.randomUniform([3, 3, 8, 16], -1, 1) as tf.Tensor4D;
    const step = () => tf.tidy(() => tf.sum(tf.matMul(tf.reshape(tf.conv2d(x, w, 1, 'same'), [400, 16]), tf.ones([16, 3]), false, false)));
    step().dispose();
    const start = tf.memory(),
      buffers = tf.backend().numDataIds();
    for (let i = 0; i < 20; i++) step().dispose();
    assert.equal(tf.memory().numTensors, start.numTensors);
    assert.equal(tf.memory().numBytes, start.numBytes);
    assert.equal(tf.backend().numDataIds(), buffers, 'wasm heap buffers left allocated');
    tf.dispose([x, w]);
  } finally {
    unregisterFastKernels(tf);
  }
});

test('the addon checks every array against the shapes before touching memory', { skip: skipReason }, () => {
  const loaded = loadKernelAddon();
  assert.ok(loaded.ok);
  const { addon } = loaded;
  const f = (n: number) => new Float32Array(n);
  const geometry = Int32Array.of(1, 3, 3, 2, 3, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1); // x needs 18, w 18, out 9
  assert.throws(() => addon.conv2d(f(17), f(18), f(9), null, geometry, 0, 0), /x: 17 elements, the shapes need 18/);
  assert.throws(() => addon.conv2d(f(18), f(18), f(8), null, geometry, 0, 0), /out: 8 elements/);
  assert.throws(() => addon.conv2d(f(18), f(18), f(9), null, Int32Array.of(1, 3, 3, 2, 3, 3, 1, 3, 3, 0, 1, 1, 1, 1, 1), 0, 0), /stride/);
  const dims = Int32Array.of(1, 2, 3, 4, 0, 0, 1, 1); // a 2×4, b 4×3, out 2×3
  assert.throws(() => addon.matmul(f(8), f(11), f(6), null, dims, 0, 0), /b: 11 elements, the shapes need 12/);
  assert.throws(() => addon.matmul(f(8), f(12), f(6), f(2), dims, 0, 0), /bias must have 1 or N/);
  assert.throws(() => addon.matmul(f(8), f(12), f(6), null, dims, 4, 0), /prelu slopes: expected a Float32Array/);
  assert.throws(() => addon.matmul(f(8), f(12), f(6), null, dims, 9 as 0, 0), /activation code/);
  assert.throws(() => addon.matmul(f(8), f(12), f(6), null, Int32Array.of(2, 2, 3, 4, 0, 0, 3, 1), 0, 0), /broadcastable/);
});

test('when the native call throws, the output buffer is freed and the error surfaces', () => {
  const failing: KernelAddon = {
    info: () => ({ version: ADDON_VERSION, isa: 'generic', mr: 4, nr: 16 }),
    conv2d: () => {
      throw new RangeError('x: Float32Array too short');
    },
    matmul: () => {
      throw new RangeError('a: Float32Array too short');
    },
    norm_relu_pool: () => {
      throw new RangeError('x: Float32Array too short');
    },
    batch_norm: () => {
      throw new RangeError('x: Float32Array too short');
    },
    batch_norm_grad: () => {
      throw new RangeError('dy: Float32Array too short');
    },
    conv4_adapt: () => {
      throw new RangeError('x: Float32Array too short');
    },
    conv4_meta_gradient: () => {
      throw new RangeError('xs: Float32Array too short');
    },
    float16_add: () => {
      throw new RangeError('base: Float32Array too short');
    },
    float16_sub: () => {
      throw new RangeError('value: Float32Array too short');
    },
    fold_batch_norm: () => {
      throw new RangeError('w: Float32Array too short');
    },
  };
  registerFastKernels(tf, { load: () => ({ ok: true, addon: failing }) });
  try {
    const x = tf.ones([1, 5, 5, 2]) as tf.Tensor4D,
      w = tf.ones([3, 3, 2, 4]) as tf.Tensor4D,
      a = tf.ones([3, 4]);
    const start = tf.memory(),
      buffers = tf.backend().numDataIds();
    assert.throws(() => tf.conv2d(x, w, 1, 'same'), /too short/);
    assert.throws(() => tf.matMul(a, a, true, false), /too short/);
    const c = tf.ones([4]);
    const inputs = { filter: w, gamma: c, beta: c, mean: c, variance: c };
    assert.throws(() => tf.engine().runKernel(FOLD_BATCH_NORM, inputs, { epsilon: 1e-5 }), /too short/);
    c.dispose();
    assert.equal(tf.memory().numTensors, start.numTensors);
    assert.equal(tf.backend().numDataIds(), buffers, 'wasm heap buffers left allocated');
    tf.dispose([x, w, a]);
  } finally {
    unregisterFastKernels(tf);
  }
});
