/** The exit codes scripts can rely on (also in the README). */
export const EXIT = {
  OK: 0,
  /** The service answered with an error (the message names its code), or an unexpected failure. */
  API_ERROR: 1,
  /** Bad arguments or unusable local input (a folder without class sub-folders, a missing file). */
  USAGE: 2,
  /** No answer from the service (connection refused, DNS, timeout). */
  UNREACHABLE: 3,
  /** A followed training job ended failed or cancelled (not by this command's Ctrl-C). */
  JOB_FAILED: 4,
  /** Ctrl-C (SIGINT): stopped watching, or cancelled the job on request. */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the CLI explains itself, with the exit code to leave with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.USAGE);
  }
}
