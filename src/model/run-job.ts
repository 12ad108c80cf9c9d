/**
 * Runs a model engine job (import-gguf, export-gguf, merge) the way `testtune model` needs:
 * the spec beside the output directory (the jobs replace that directory as a whole), kept only
 * when the job fails so that the re-run line in the error works, and a job that refuses its
 * input file (exit 2) surfaced as a DataError naming that file.
 */
import { rmSync } from "node:fs";
import { DataError } from "../errors.js";
import { EngineJobError } from "../engine/job-errors.js";
import { runEngineJob, type EngineJobResult, type JobName, type JobSpecInput } from "../engine/job.js";

export async function runModelJob<J extends JobName>(job: J, spec: JobSpecInput<J>, outputDir: string, input: string, options: { quiet?: boolean; hint: string }): Promise<EngineJobResult> {
  const specFile = `${outputDir.replace(/\/+$/, "")}.${job}-spec.json`;
  let refusal: string | undefined;
  try {
    const result = await runEngineJob(job, spec, {
      specFile,
      quiet: options.quiet,
      onEvent: (event) => {
        if (event.event === "error") refusal = event.message;
      },
    });
    rmSync(specFile, { force: true });
    return result;
  } catch (error) {
    if (error instanceof EngineJobError && error.exitCode === 2 && refusal !== undefined) {
      // The engine's DataError already names the file; drop the path it repeats.
      throw new DataError(input, "", refusal.startsWith(input) ? refusal.slice(input.length).replace(/^:\s*/, "") : refusal, { hint: options.hint, cause: error });
    }
    throw error;
  }
}
