/**
 * Static facts of test files (python/testtune_executor/target.py), for a whole batch in one
 * Python process: the check count (assertions.py), which entry points the file rebinds to a
 * copy of its own, whether it refers to the module under test at all, and its distinct checks
 * and inputs. Parsing with `ast` never runs the file, so this runs outside the sandbox.
 *
 * Calls that arrive while an analysing process runs share the next one: under many clients of
 * the reward service (verl sends one completion per request) a process per call would cost
 * about as much CPU as the sandbox run itself (20-30 ms to start Python); this way there is at
 * most one process at a time and its batch grows with the load.
 */
import { pythonEnv } from "../engine/python-env.js";
import { SandboxError } from "../errors.js";
import { run } from "../util/subprocess.js";

const TIMEOUT_MS = 60_000;

export interface TestFileFacts {
  /** Checks written in the code the tests run. */
  count: number;
  /** Entry points the file binds to something other than the module's own object. */
  shadowed: string[];
  /** The file refers to the module under test outside its imports. */
  uses_module: boolean;
  /** Checks counted once per distinct syntax tree. */
  distinct_assertions: number;
  /** Distinct argument lists the tests call the entry points with (parametrize rows count each). */
  distinct_inputs: number;
}

export interface TestFileToAnalyse {
  source: string;
  module: string;
  entry_points: string[];
}

function isFacts(value: unknown): value is TestFileFacts {
  const v = value as TestFileFacts;
  return (
    typeof v === "object" && v !== null && typeof v.count === "number" && Array.isArray(v.shadowed) && typeof v.uses_module === "boolean" &&
    typeof v.distinct_assertions === "number" && typeof v.distinct_inputs === "number"
  );
}

interface Waiting {
  files: TestFileToAnalyse[];
  resolve: (facts: (TestFileFacts | null)[]) => void;
  reject: (error: unknown) => void;
}

let waiting: Waiting[] = [];
let analysing = false;

/** One answer per file, in order; null for a file that is not valid Python. */
export function analyseTestFiles(files: TestFileToAnalyse[]): Promise<(TestFileFacts | null)[]> {
  if (files.length === 0) return Promise.resolve([]);
  return new Promise((resolve, reject) => {
    waiting.push({ files, resolve, reject });
    if (!analysing) analyseWaiting();
  });
}

/** Analyses everything waiting in one process, then whatever arrived meanwhile, until nothing waits. */
function analyseWaiting(): void {
  const batch = waiting;
  waiting = [];
  analysing = batch.length > 0;
  if (!analysing) return;
  analyseInOneProcess(batch.flatMap((w) => w.files))
    .then(
      (facts) => {
        let at = 0;
        for (const w of batch) {
          w.resolve(facts.slice(at, at + w.files.length));
          at += w.files.length;
        }
      },
      (error: unknown) => batch.forEach((w) => w.reject(error)),
    )
    .finally(analyseWaiting);
}

async function analyseInOneProcess(files: TestFileToAnalyse[]): Promise<(TestFileFacts | null)[]> {
  const { python, env } = await pythonEnv({ quiet: true });
  const result = await run(python, ["-m", "testtune_executor.target"], {
    env,
    input: JSON.stringify({ files }),
    timeoutMs: TIMEOUT_MS,
    maxOutput: 10_000_000,
  });
  const fail = (why: string): SandboxError =>
    new SandboxError(`analysing test files failed: ${why}`, { hint: "run 'testtune doctor' to check the Python environment" });
  if (!result.ok) throw fail(result.signal !== null ? `killed by ${result.signal}` : result.stderr.trim().slice(-500) || `exit code ${String(result.exitCode)}`);
  let results: unknown;
  try {
    results = (JSON.parse(result.stdout) as { results?: unknown }).results;
  } catch (error) {
    throw fail(`unreadable answer (${(error as Error).message})`);
  }
  if (!Array.isArray(results) || results.length !== files.length || !results.every((r) => r === null || isFacts(r))) {
    throw fail("the answer does not have one result per file");
  }
  return results as (TestFileFacts | null)[];
}
