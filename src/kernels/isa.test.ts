/**
 * Every microkernel (avx512, avx2, the portable one other CPUs get) against naive references:
 * MAML_KERNELS_ISA caps the choice when the addon loads, so each runs in a child process.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { DEFAULT_ADDON_PATH } from './index.ts';
import { assertClose, skipReason } from './test-support.ts';

/** Deterministic values in [-1, 1) (the same formula runs in the child). */
const fill = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => ((i * 7919 + seed * 104729) % 2003) / 1001.5 - 1);

const MM = { batch: 2, m: 37, n: 45, k: 29 }; // edges of every MR×NR tiling
/** Geometries in the addon's order: a GEMM conv (33 outputs) and a narrow one (37 → 3, dilated). */
const CONVS = {
  conv: [2, 7, 6, 5, 3, 3, 33, 4, 3, 2, 2, 1, 1, 1, 1],
  narrow: [2, 6, 7, 37, 3, 2, 3, 4, 7, 1, 1, 2, 1, 1, 1],
} as const;
type Geometry = (typeof CONVS)[keyof typeof CONVS];

const child = `
const addon = require(${JSON.stringify(DEFAULT_ADDON_PATH)});
const fill = ${fill.toString()};
const { batch, m, n, k } = ${JSON.stringify(MM)};
const out = {};
for (const [ta, tb] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
  const c = new Float32Array(batch * m * n);
  addon.matmul(fill(batch * m * k, 1), fill(k * n, 2), c, fill(n, 3), Int32Array.of(batch, m, n, k, ta, tb, batch, 1), 1, 0);
  out['mm' + ta + tb] = Array.from(c);
}
for (const [name, g] of Object.entries(${JSON.stringify(CONVS)})) {
  const conv = new Float32Array(g[0] * g[7] * g[8] * g[6]);
  addon.conv2d(fill(g[0] * g[1] * g[2] * g[3], 4), fill(g[4] * g[5] * g[3] * g[6], 5), conv, null, Int32Array.from(g), 0, 0);
  out[name] = Array.from(conv);
}
process.stdout.write(JSON.stringify({ isa: addon.info().isa, out }));`;

function referenceMatMul(ta: boolean, tb: boolean): Float32Array {
  const { batch, m, n, k } = MM;
  const a = fill(batch * m * k, 1),
    b = fill(k * n, 2),
    bias = fill(n, 3),
    c = new Float32Array(batch * m * n);
  for (let p = 0; p < batch; p++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = bias[j]!;
        for (let q = 0; q < k; q++) s += a[p * m * k + (ta ? q * m + i : i * k + q)]! * b[tb ? j * k + q : q * n + j]!;
        c[(p * m + i) * n + j] = Math.max(s, 0);
      }
  return c;
}

function referenceConv(geometry: Geometry): Float32Array {
  const [nb, h, w, ci, fh, fw, co, oh, ow, sh, sw, dh, dw, pt, pl] = geometry;
  const x = fill(nb * h * w * ci, 4),
    f = fill(fh * fw * ci * co, 5),
    out = new Float32Array(nb * oh * ow * co);
  for (let p = 0; p < nb; p++)
    for (let y = 0; y < oh; y++)
      for (let z = 0; z < ow; z++)
        for (let o = 0; o < co; o++) {
          let s = 0;
          for (let a = 0; a < fh; a++)
            for (let b = 0; b < fw; b++) {
              const iy = y * sh - pt + a * dh,
                ix = z * sw - pl + b * dw;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              for (let c = 0; c < ci; c++) s += x[((p * h + iy) * w + ix) * ci + c]! * f[((a * fw + b) * ci + c) * co + o]!;
            }
          out[((p * oh + y) * ow + z) * co + o] = s;
        }
  return out;
}

for (const isa of ['avx512', 'avx2', 'generic']) {
  test(`microkernel capped at ${isa}: matMul (all transposes, bias, relu) and both conv paths match naive references`, { skip: skipReason }, () => {
    const run = spawnSync(process.execPath, ['-e', child], { env: { ...process.env, MAML_KERNELS_ISA: isa }, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout) as { isa: string; out: Record<string, number[]> };
    const order = ['avx512', 'avx2', 'generic'];
    assert.ok(order.indexOf(result.isa) >= order.indexOf(isa), `asked for at most ${isa}, got ${result.isa}`);
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      const key = `mm${Number(ta)}${Number(tb)}`;
      assertClose(Float32Array.from(result.out[key]!), referenceMatMul(ta, tb), `${result.isa} ${key}`);
    }
    for (const [name, geometry] of Object.entries(CONVS)) {
      assertClose(Float32Array.from(result.out[name]!), referenceConv(geometry), `${result.isa} ${name}`);
    }
  });
}
