/**
 * The static assertion count of test files (python/testtune_executor/assertions.py), for a
 * whole batch in one Python process. Parsing with `ast` never runs the file, so this runs
 * outside the sandbox.
 *
 * Calls that arrive while a counting process runs share the next one: under many clients of
 * the reward service (verl sends one completion per request) a process per call would cost
 * about as much CPU as the sandbox run itself (20-30 ms to start Python); this way there is at
 * most one process at a time and its batch grows with the load.
 */
import { pythonEnv } from "../engine/python-env.js";
import { SandboxError } from "../errors.js";
import { run } from "../util/subprocess.js";

const TIMEOUT_MS = 60_000;

interface Waiting {
  sources: string[];
  resolve: (counts: (number | null)[]) => void;
  reject: (error: unknown) => void;
}

let waiting: Waiting[] = [];
let counting = false;

/** One count per source, in order; null for a file that is not valid Python. */
export function countStaticAssertions(sources: string[]): Promise<(number | null)[]> {
  if (sources.length === 0) return Promise.resolve([]);
  return new Promise((resolve, reject) => {
    waiting.push({ sources, resolve, reject });
    if (!counting) countWaiting();
  });
}

/** Counts everything waiting in one process, then whatever arrived meanwhile, until nothing waits. */
function countWaiting(): void {
  const batch = waiting;
  waiting = [];
  counting = batch.length > 0;
  if (!counting) return;
  countInOneProcess(batch.flatMap((w) => w.sources))
    .then(
      (counts) => {
        let at = 0;
        for (const w of batch) {
          w.resolve(counts.slice(at, at + w.sources.length));
          at += w.sources.length;
        }
      },
      (error: unknown) => batch.forEach((w) => w.reject(error)),
    )
    .finally(countWaiting);
}

async function countInOneProcess(sources: string[]): Promise<(number | null)[]> {
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
