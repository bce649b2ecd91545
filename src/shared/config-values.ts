/** Typed readers of environment variables: each returns the value or throws ConfigError naming the variable. */
import path from 'node:path';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly value: string,
    readonly expected: string,
  ) {
    super(`invalid ${variable}=${JSON.stringify(value)}: expected ${expected}`);
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

export function read(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || value < min || value > max) {
    throw new ConfigError(name, raw, `an integer from ${min} to ${max}`);
  }
  return value;
}

export function oneOf<T extends string>(env: Env, name: string, options: readonly T[], fallback: T): T {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const value = raw.trim().toLowerCase() as T;
  if (!options.includes(value)) throw new ConfigError(name, raw, `one of ${options.join(', ')}`);
  return value;
}

export function flag(env: Env, name: string): boolean {
  return oneOf(env, name, ['true', 'false', '1', '0', 'yes', 'no'], 'false').match(/^(true|1|yes)$/) !== null;
}

export function url(env: Env, name: string, fallback: string, protocols: readonly string[]): string {
  const raw = read(env, name) ?? fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, raw, `a URL (${protocols.join(' or ')})`);
  }
  if (!protocols.includes(parsed.protocol)) throw new ConfigError(name, raw, `a URL (${protocols.join(' or ')})`);
  return raw;
}

export function pattern(env: Env, name: string, fallback: string, re: RegExp, expected: string): string {
  const raw = read(env, name) ?? fallback;
  if (!re.test(raw)) throw new ConfigError(name, raw, expected);
  return raw;
}

export function directory(env: Env, name: string, fallback: string): string {
  return path.resolve(read(env, name) ?? fallback);
}
