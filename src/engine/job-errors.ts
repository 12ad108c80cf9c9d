/** The two ways an engine job ends without its artifacts: it failed, or it was interrupted. */
import { TesttuneError } from "../errors.js";

/** An engine job failed: carries its error event, last log events and last stderr lines. */
export class EngineJobError extends TesttuneError {
  constructor(
    readonly job: string,
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
    /** The job's last `log` events, as `[level] message`. */
    readonly logLines: string[],
    /** The last lines the job wrote on stderr (library output, tracebacks). */
    readonly stderrLines: string[],
    message: string,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super("E_ENGINE", message, options);
  }
}

/** An engine job stopped on Ctrl-C after saving a checkpoint; re-running the same spec resumes. */
export class EngineInterruptedError extends TesttuneError {
  constructor(
    readonly job: string,
    /** What a re-run resumes from (a checkpoint directory or a partial output), when the job saved one. */
    readonly checkpoint: string | null,
    hint: string,
  ) {
    super("E_ENGINE_INTERRUPTED", `engine job '${job}' was interrupted${checkpoint === null ? " before it saved a checkpoint" : `; saved ${checkpoint}`}`, { hint });
  }
}

/**
 * A command's exit code when its engine job was interrupted (Ctrl-C): what was written is kept,
 * so the user is told to run the same command again; any other error is rethrown.
 */
export function exitOnInterrupt(error: unknown): number {
  if (!(error instanceof EngineInterruptedError)) throw error;
  process.stderr.write(`${error.message}\nHINT: run the same command again to resume\n`);
  return 130;
}
