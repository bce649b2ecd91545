/** Turns whatever a command threw into one clear message and an exit code. */
import { CommanderError } from 'commander';
import { ApiError, UnreachableError } from '../clients/typescript/index.ts';
import { CliError, EXIT, type ExitCode } from './exit-codes.ts';

export interface Described {
  /** null when the message was already printed (commander's own usage errors). */
  readonly message: string | null;
  readonly exitCode: ExitCode;
}

function hint(error: ApiError): string | null {
  if (error.status === 401) return 'pass a valid key with --key or MAML_API_KEY';
  if (error.status === 403) return 'this command needs an admin key';
  if (error.code === 'ROUTE_NOT_FOUND') return 'is --url (MAML_URL) the address of the MAML service?';
  if (error.status === 429 || error.status === 503) {
    return error.retryAfterSeconds === undefined ? 'retry later' : `the service asks to retry after ${error.retryAfterSeconds} s`;
  }
  return null;
}

export function describeError(error: unknown): Described {
  if (error instanceof CommanderError) {
    const ok = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help';
    return { message: null, exitCode: ok ? EXIT.OK : EXIT.USAGE };
  }
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof ApiError) {
    const more = hint(error);
    const details = error.details ? ` ${JSON.stringify(error.details)}` : '';
    return { message: `${error.status} ${error.code}: ${error.message}${details}${more ? `\n  (${more})` : ''}`, exitCode: EXIT.API_ERROR };
  }
  if (error instanceof UnreachableError) {
    return { message: `${error.message}: is the service running? Set its address with --url or MAML_URL`, exitCode: EXIT.UNREACHABLE };
  }
  const system = error as NodeJS.ErrnoException;
  if (system?.code === 'ENOENT' || system?.code === 'EACCES' || system?.code === 'ENOTDIR') {
    return { message: `${system.code === 'ENOENT' ? 'no such file or folder' : 'cannot read'}: ${system.path ?? system.message}`, exitCode: EXIT.USAGE };
  }
  return { message: error instanceof Error ? error.message : String(error), exitCode: EXIT.API_ERROR };
}
