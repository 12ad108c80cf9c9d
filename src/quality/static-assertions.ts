/**
 * The static assertion count of test files (python/testtune_executor/assertions.py), for a
 * whole batch in one Python process. Parsing with `ast` never runs the file, so this runs
 * outside the sandbox.
 */
import { pythonEnv } from "../engine/python-env.js";
import { SandboxError } from "../errors.js";
import { run } from "../util/subprocess.js";

const TIMEOUT_MS = 60_000;

/** One count per source, in order; null for a file that is not valid Python. */
export async function countStaticAssertions(sources: string[]): Promise<(number | null)[]> {
  if (sources.length === 0) return [];
  const { python, env } = await pythonEnv({ quiet: true });
  const result = await run(python, ["-m", "testtune_executor.assertions"], {
    env,
    input: JSON.stringify({ sources }),
    timeoutMs: TIMEOUT_MS,
    maxOutput: 10_000_000,
  });
  const fail = (why: string): SandboxError =>
    new SandboxError(`counting assertions failed: ${why}`, { hint: "run 'testtune doctor' to check the Python environment" });
  if (!result.ok) throw fail(result.signal !== null ? `killed by ${result.signal}` : result.stderr.trim().slice(-500) || `exit code ${String(result.exitCode)}`);
  let counts: unknown;
  try {
    counts = (JSON.parse(result.stdout) as { counts?: unknown }).counts;
  } catch (error) {
    throw fail(`unreadable answer (${(error as Error).message})`);
  }
  if (!Array.isArray(counts) || counts.length !== sources.length || !counts.every((c) => c === null || typeof c === "number")) {
    throw fail("the answer does not have one count per file");
  }
  return counts as (number | null)[];
}
