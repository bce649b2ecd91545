/**
 * TensorFlow.js backend selection for the entry points (API, worker, scripts); the core never
 * imports this. 'auto' prefers @tensorflow/tfjs-node-gpu when it is installed and a GPU is
 * visible, then @tensorflow/tfjs-node, then wasm, then the pure-JS cpu backend. An explicit choice
 * forces one backend and fails with BackendUnavailableError when it cannot be used.
 * The native packages are optional (they download libtensorflow at install time, impossible
 * offline): they are loaded with a dynamic import, and "package not found" means "not available".
 */
import { readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as tf from '../core/tf.ts';
import { registerFastKernels } from '../kernels/index.ts';

import { BACKENDS, type BackendChoice } from '../core/kinds.ts';

export type { BackendChoice };
/** The TFJS_BACKEND choices (listed once, in src/core/kinds.ts). */
export const BACKEND_CHOICES = BACKENDS;
type Concrete = Exclude<BackendChoice, 'auto'>;

export interface BackendInfo {
  /** The tfjs backend name now active: 'tensorflow', 'wasm' or 'cpu'. */
  readonly name: string;
  readonly choice: BackendChoice;
  /** Which backend was taken and why the ones before it were not (for the logs and the API). */
  readonly reason: string;
  /** Version of the package that provides the backend. */
  readonly version: string;
  readonly packageName: string;
  /** On wasm: the native kernels registered over the stock ones (src/kernels), and why or why not. */
  readonly fastKernels?: { readonly registered: readonly string[]; readonly reason: string };
}

export class BackendUnavailableError extends Error {
  constructor(
    readonly choice: BackendChoice,
    readonly packageName: string,
    readonly reason: string,
    cause?: unknown,
  ) {
    super(`TFJS backend '${choice}' is unavailable: ${packageName}: ${reason}`);
    this.cause = cause;
  }
}

export interface GpuProbe {
  readonly visible: boolean;
  readonly detail: string;
}

/** What selection needs from the outside world; tests replace it. */
export interface BackendEnvironment {
  /** Whether a package can be resolved, without loading it (a native package loads libtensorflow). */
  isInstalled(packageName: string): boolean;
  importModule(specifier: string): Promise<unknown>;
  probeGpu(): Promise<GpuProbe>;
}

/** An NVIDIA device node (/dev/nvidia0 …) that CUDA_VISIBLE_DEVICES does not hide. */
export async function probeNvidiaGpu(env: Readonly<Record<string, string | undefined>> = process.env, devDir = '/dev'): Promise<GpuProbe> {
  const visibleDevices = env['CUDA_VISIBLE_DEVICES'];
  if (visibleDevices !== undefined && ['', '-1', 'none', 'NoDevFiles'].includes(visibleDevices.trim())) {
    return { visible: false, detail: `CUDA_VISIBLE_DEVICES=${JSON.stringify(visibleDevices)}` };
  }
  const devices = (await readdir(devDir).catch(() => [] as string[])).filter((name) => /^nvidia\d+$/.test(name)).sort();
  return devices.length > 0
    ? { visible: true, detail: devices.map((d) => `${devDir}/${d}`).join(', ') }
    : { visible: false, detail: `no ${devDir}/nvidia<N> device` };
}

const defaultEnvironment: BackendEnvironment = {
  isInstalled: (packageName) => {
    try {
      createRequire(import.meta.url).resolve(packageName);
      return true;
    } catch {
      return false;
    }
  },
  importModule: (specifier) => import(specifier),
  probeGpu: () => probeNvidiaGpu(),
};

const CANDIDATES: Record<Concrete, { packageName: string; backend: string }> = {
  gpu: { packageName: '@tensorflow/tfjs-node-gpu', backend: 'tensorflow' },
  node: { packageName: '@tensorflow/tfjs-node', backend: 'tensorflow' },
  wasm: { packageName: '@tensorflow/tfjs-backend-wasm', backend: 'wasm' },
  cpu: { packageName: '@tensorflow/tfjs-backend-cpu', backend: 'cpu' },
};

/** True for "this package is not installed", not for a failure inside an installed package. */
export function isPackageMissing(error: unknown, packageName: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    typeof message === 'string' &&
    (message.includes(`'${packageName}'`) || message.includes(`"${packageName}"`))
  );
}

function packageVersion(module: unknown, packageName: string): string {
  const exported = (module as { version?: unknown } | null)?.version;
  if (typeof exported === 'string') return exported;
  if (typeof exported === 'object' && exported !== null) {
    const named = (exported as Record<string, unknown>)[packageName.replace('@tensorflow/', '')];
    if (typeof named === 'string') return named;
  }
  try {
    return (createRequire(import.meta.url)(`${packageName}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

async function activate(choice: Concrete, env: BackendEnvironment): Promise<{ version: string; note: string }> {
  const { packageName, backend } = CANDIDATES[choice];
  let gpuNote = '';
  if (choice === 'gpu') {
    if (!env.isInstalled(packageName)) throw new BackendUnavailableError(choice, packageName, 'not installed');
    const gpu = await env.probeGpu();
    if (!gpu.visible) throw new BackendUnavailableError(choice, packageName, `no GPU visible (${gpu.detail})`);
    gpuNote = ` on ${gpu.detail}`;
  }
  let module: unknown;
  try {
    module = await env.importModule(packageName);
  } catch (error) {
    const reason = isPackageMissing(error, packageName) ? 'not installed' : `failed to load: ${(error as Error).message}`;
    throw new BackendUnavailableError(choice, packageName, reason, error);
  }
  let ok: boolean;
  try {
    ok = await tf.setBackend(backend);
  } catch (error) {
    throw new BackendUnavailableError(choice, packageName, `backend '${backend}' failed to initialise: ${(error as Error).message}`, error);
  }
  if (!ok || tf.getBackend() !== backend) {
    throw new BackendUnavailableError(
      choice,
      packageName,
      `backend '${backend}' failed to initialise (registered: ${Object.keys(tf.engine().registryFactory).join(', ')})`,
    );
  }
  await tf.ready();
  return { version: packageVersion(module, packageName), note: gpuNote };
}

/** Selects and activates the backend; call once at start-up, before any tensor is made. */
export async function selectBackend(choice: BackendChoice = 'auto', env: BackendEnvironment = defaultEnvironment): Promise<BackendInfo> {
  if (!BACKEND_CHOICES.includes(choice)) throw new BackendUnavailableError(choice, '(none)', `unknown choice; expected one of ${BACKEND_CHOICES.join(', ')}`);
  const order: readonly Concrete[] = choice === 'auto' ? ['gpu', 'node', 'wasm', 'cpu'] : [choice];
  const skipped: string[] = [];
  for (const candidate of order) {
    const { packageName } = CANDIDATES[candidate];
    try {
      const { version, note } = await activate(candidate, env);
      const why = choice === 'auto' ? `auto: ${[...skipped, `using ${packageName}${note}`].join('; ')}` : `forced '${choice}'${note}`;
      const name = tf.getBackend();
      const fastKernels = name === 'wasm' ? registerFastKernels(tf) : undefined;
      return { name, choice, reason: why, version, packageName, ...(fastKernels ? { fastKernels } : {}) };
    } catch (error) {
      if (choice !== 'auto' || !(error instanceof BackendUnavailableError)) throw error;
      skipped.push(`${packageName} ${error.reason}`);
    }
  }
  throw new BackendUnavailableError(choice, order.map((c) => CANDIDATES[c].packageName).join(', '), skipped.join('; '));
}
