/**
 * Runs the PyTorch reference (bench/torch_reference.py over ../shared/bench/torch_maml.py) with
 * Debian's /usr/bin/python3 and returns its JSON, or why it could not run.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const TORCH_SCRIPT = fileURLToPath(new URL('./torch_reference.py', import.meta.url));
export const DEFAULT_REFERENCE = fileURLToPath(new URL('../../shared/bench/torch_maml.py', import.meta.url));

export interface TorchCaseResult {
  readonly p50_ms: number;
  readonly p90_ms: number;
  readonly min_ms: number;
  readonly n: number;
  readonly other_cores: number;
  readonly attempts: number;
  readonly tasks_per_s?: number;
}

export interface TorchRun {
  readonly torch: string;
  readonly threads: number;
  readonly variant: 'maxpool' | 'strided';
  readonly malloc: string;
  readonly cases: Record<string, TorchCaseResult>;
}

export type TorchOutcome = { readonly ok: true; readonly run: TorchRun } | { readonly ok: false; readonly reason: string };

export interface TorchOptions {
  readonly python?: string;
  readonly reference?: string;
  readonly strided: boolean;
  readonly cases: readonly string[];
  readonly reps: number;
  readonly repsTrain: number;
  readonly warmup: number;
  readonly warmupTrain: number;
  readonly tries: number;
  readonly maxIdleWait: number;
  /** Per case, stop timing after this many seconds (at least 5 runs). */
  readonly maxSeconds: number;
  /** torch.set_num_threads (default 2, as the reference). */
  readonly threads?: number;
  /** Called with each line the script prints to stderr (its progress). */
  readonly onProgress?: (line: string) => void;
}

/** The script's result: the JSON object on the last non-empty stdout line. */
export function parseTorchOutput(stdout: string): TorchRun {
  const last = stdout.trim().split('\n').at(-1) ?? '';
  const parsed = JSON.parse(last) as TorchRun;
  if (typeof parsed.torch !== 'string' || typeof parsed.cases !== 'object' || parsed.cases === null) {
    throw new Error(`unexpected PyTorch reference output: ${last.slice(0, 200)}`);
  }
  return parsed;
}

export function torchArguments(options: TorchOptions, reference: string): string[] {
  return [
    TORCH_SCRIPT,
    '--reference',
    reference,
    '--malloc',
    'tuned',
    ...(options.strided ? ['--strided'] : []),
    '--cases',
    options.cases.join(','),
    '--reps',
    String(options.reps),
    '--reps-train',
    String(options.repsTrain),
    '--warmup',
    String(options.warmup),
    '--warmup-train',
    String(options.warmupTrain),
    '--tries',
    String(options.tries),
    '--max-idle-wait',
    String(options.maxIdleWait),
    '--max-seconds',
    String(options.maxSeconds),
    '--threads',
    String(options.threads ?? 2),
  ];
}

export async function runTorch(options: TorchOptions): Promise<TorchOutcome> {
  const python = options.python ?? '/usr/bin/python3';
  const reference = options.reference ?? DEFAULT_REFERENCE;
  if (!existsSync(python)) return { ok: false, reason: `${python} not found` };
  if (!existsSync(reference)) return { ok: false, reason: `${reference} not found` };
  const child = spawn(python, torchArguments(options, reference), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const line of chunk.toString().split('\n')) if (line.trim()) options.onProgress?.(line);
  });
  const code = await new Promise<number | null>((resolve) => {
    child.on('close', resolve);
    child.on('error', () => resolve(null));
  });
  if (code !== 0) return { ok: false, reason: `${python} exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}` };
  try {
    return { ok: true, run: parseTorchOutput(stdout) };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}
