/** What every command gets: the client built from the global options, and the output streams. */
import { InvalidArgumentError, type Command } from 'commander';
import { MamlClient, type RetryInfo } from '../clients/typescript/index.ts';
import { UsageError } from './exit-codes.ts';

export interface Io {
  /** Results (tables, ids, JSON): stdout. */
  out(text: string): void;
  /** Progress, notes and errors: stderr. */
  err(text: string): void;
  /** stderr is a terminal: the progress line is redrawn in place. */
  readonly errIsTTY: boolean;
  /** stdin is a terminal: Ctrl-C may ask a question. */
  readonly stdinIsTTY: boolean;
}

export const processIo: Io = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  errIsTTY: Boolean(process.stderr.isTTY),
  stdinIsTTY: Boolean(process.stdin.isTTY),
};

export interface GlobalOptions {
  readonly url: string;
  readonly key?: string;
  readonly retries: number;
}

export interface Context {
  readonly client: MamlClient;
  readonly io: Io;
}

function retryNote(info: RetryInfo): string {
  const why = info.status === null ? `no answer from ${new URL(info.url).origin}` : `the service answered ${info.status}`;
  return `maml: ${why}; retrying in ${(info.delayMs / 1000).toFixed(1)} s (try ${info.attempt + 1} of ${info.maxAttempts})\n`;
}

export function contextFor(command: Command, io: Io = processIo): Context {
  const options = command.optsWithGlobals<GlobalOptions>();
  let protocol = '';
  try {
    protocol = new URL(options.url).protocol;
  } catch {
    // reported below
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new UsageError(`--url (MAML_URL) must be an http(s) URL such as http://localhost:3000 (got ${JSON.stringify(options.url)})`);
  }
  const client = new MamlClient({
    url: options.url,
    key: options.key,
    retry: { maxAttempts: options.retries, onRetry: (info) => io.err(retryNote(info)) },
  });
  return { client, io };
}

/** Parsers for commander options and arguments (a bad value is a usage error, exit 2). */
export function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`expected a positive integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

export function nonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected a non-negative integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number, got ${JSON.stringify(value)}`);
  return n;
}
