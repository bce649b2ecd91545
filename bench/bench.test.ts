import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ratioRows, type Row } from './report.ts';
import { EmptySampleError, contentionMeter, summarise, timeRuns } from './stats.ts';
import { parseTorchOutput, torchArguments } from './torch.ts';

test('summarise: median of odd and even counts, p90 and min as the reference computes them', () => {
  assert.deepEqual(summarise([5, 1, 3]), { median_ms: 3, p90_ms: 5, min_ms: 1, n: 3 });
  assert.equal(summarise([4, 1, 3, 2]).median_ms, 2.5);
  const twenty = Array.from({ length: 20 }, (_, i) => 20 - i); // 1..20 reversed
  assert.deepEqual(summarise(twenty), { median_ms: 10.5, p90_ms: 18, min_ms: 1, n: 20 }); // index round(0.9·19) = 17
  assert.throws(() => summarise([]), EmptySampleError);
});

test('timeRuns awaits each run, skips the warm-up runs, and reports contention', async () => {
  let calls = 0;
  const timing = await timeRuns(
    async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 5));
    },
    { warmup: 2, reps: 3 },
  );
  assert.equal(calls, 5);
  assert.equal(timing.n, 3);
  assert.ok(timing.min_ms >= 4, `min ${timing.min_ms}`);
  const other = contentionMeter()();
  assert.ok(other === null || other >= 0);
});

const torchJson = {
  torch: '1.13.1',
  threads: 2,
  variant: 'maxpool',
  malloc: 'tuned',
  cases: {
    adapt_5w1s: { p50_ms: 50, p90_ms: 60, min_ms: 45, n: 20, other_cores: 0.02, attempts: 1 },
    metatrain_step_so: { p50_ms: 3200, p90_ms: 3300, min_ms: 3100, n: 20, other_cores: 0.05, attempts: 1, tasks_per_s: 10 },
  },
};

test('the PyTorch JSON is read from the last stdout line; ratios are ours / PyTorch', () => {
  const run = parseTorchOutput(`adapt_5w1s {...}\n${JSON.stringify(torchJson)}\n`);
  assert.equal(run.cases['adapt_5w1s']!.p50_ms, 50);
  assert.throws(() => parseTorchOutput('{"nothing": 1}'), /unexpected PyTorch reference output/);
  const base = { p90_ms: 0, min_ms: 0, n: 20, other_cores: 0, kernels: 'native' as const, threads: 1 };
  const rows: Row[] = [
    { ...base, variant: 'maxpool', case: 'adapt_5w1s', torch_case: 'adapt_5w1s', median_ms: 40 },
    { ...base, variant: 'maxpool', case: 'meta_step_so_32_2threads', torch_case: 'metatrain_step_so', median_ms: 6400, tasks_per_s: 5 },
    { ...base, variant: 'strided', case: 'adapt_5w1s', torch_case: 'adapt_5w1s', median_ms: 10 },
  ];
  const compared = ratioRows(rows, { maxpool: { ok: true, run }, strided: { ok: false, reason: 'no torch' } });
  assert.deepEqual(
    compared.map((r) => r.ratio),
    [0.8, 2, null],
  );
  assert.equal(compared[1]!.torch_tasks_per_s, 10);
  assert.equal(compared[2]!.torch_p50_ms, null);
});

test('the reference runs with tuned malloc, the shapes named, and a capped idle wait', () => {
  const args = torchArguments(
    {
      strided: true,
      cases: ['adapt_5w1s', 'metatrain_step_so'],
      reps: 20,
      repsTrain: 20,
      warmup: 3,
      warmupTrain: 1,
      tries: 1,
      maxIdleWait: 15,
      maxSeconds: 90,
    },
    '/ref/torch_maml.py',
  );
  const at = (flag: string) => args[args.indexOf(flag) + 1];
  assert.equal(at('--malloc'), 'tuned');
  assert.equal(at('--reference'), '/ref/torch_maml.py');
  assert.equal(at('--cases'), 'adapt_5w1s,metatrain_step_so');
  assert.equal(at('--max-idle-wait'), '15');
  assert.equal(at('--max-seconds'), '90');
  assert.ok(args.includes('--strided'));
});
