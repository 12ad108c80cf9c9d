/**
 * One error base for everything testtune reports to a user, with a closed set of codes.
 * The CLI prints a known error as a short message (plus its hint) and exits 1;
 * anything else is a bug and is printed with its stack.
 */
export type ErrorCode =
  | "E_CONFIG" // a config, spec or flag is wrong: names the file and the field
  | "E_DATA" // an input data file is wrong: names the file, the line or row, and the column
  | "E_ENGINE" // a Python engine job failed: carries the job's last log lines
  | "E_ENGINE_INTERRUPTED" // a job was interrupted (Ctrl-C) and left a checkpoint to resume from
  | "E_SANDBOX" // the sandbox could not run a job (our failure, never the sample's)
  | "E_ENV" // the Python environment or a system tool is missing or broken
  | "E_USAGE" // the command line itself is wrong
  | "E_NETWORK"; // a remote service (teacher model, hub, reward service) failed

export class TesttuneError extends Error {
  readonly code: ErrorCode;
  /** The command or change that fixes it, printed as `HINT:` after the message. */
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
  }
}

/** A config file, job spec or flag value that does not match its schema. */
export class ConfigError extends TesttuneError {
  constructor(
    readonly file: string,
    readonly field: string,
    detail: string,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super("E_CONFIG", `${file}: ${field === "" ? "" : `field '${field}': `}${detail}`, options);
  }
}

/** An input data file that cannot be read as the format it claims to be. */
export class DataError extends TesttuneError {
  constructor(
    readonly file: string,
    readonly location: string,
    detail: string,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super("E_DATA", `${file}${location === "" ? "" : ` ${location}`}: ${detail}`, options);
  }
}

/** The command line is wrong (unknown flag, missing value). */
export class UsageError extends TesttuneError {
  constructor(message: string, hint?: string) {
    super("E_USAGE", message, hint === undefined ? {} : { hint });
  }
}

/** The environment lacks something testtune needs (Python, uv, bubblewrap, a package). */
export class EnvError extends TesttuneError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super("E_ENV", message, options);
  }
}

/** The sandbox failed to run a job; never used for a sample's own failure. */
export class SandboxError extends TesttuneError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super("E_SANDBOX", message, options);
  }
}

/** A remote HTTP service failed or answered something unusable. */
export class NetworkError extends TesttuneError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super("E_NETWORK", message, options);
  }
}

export function isTesttuneError(error: unknown): error is TesttuneError {
  return error instanceof TesttuneError;
}
