/**
 * The sandbox's contract: what a caller asks to run and what comes back.
 * Every consumer (exec, score, rewards, evaluation, data verification) uses only these types.
 */

/** How a whole run ended; see docs/sandbox.md for the exact rules. */
export const OUTCOMES = [
  "passed", // at least one test ran and every test passed
  "failed", // at least one test failed (an assertion or an exception inside a test)
  "error", // a fixture or setup/teardown error, with no failing test
  "collection_error", // pytest could not import/collect the test file (ImportError, NameError at import)
  "syntax_error", // the test file (or the code) is not valid Python
  "no_tests", // collection found no tests, or every test was skipped/deselected
  "timeout", // the wall-clock or CPU limit was reached
  "memory", // the address-space limit was reached (MemoryError or killed for memory)
  "crashed", // the run died (signal, segfault, os._exit, killed parent) without a verdict
  "rejected", // the run tampered with the runner (patched pytest, forged reports, exit tricks)
  "sandbox_error", // the sandbox itself failed; never the sample's fault
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export type TestOutcome = "passed" | "failed" | "error" | "skipped" | "xfailed" | "xpassed";

export interface TestResult {
  /** pytest node id, e.g. test_solution.py::test_add[1-2] */
  nodeid: string;
  outcome: TestOutcome;
  duration_s: number;
  /** A short message (first lines of the failure), empty when passed. */
  message: string;
}

export interface MutantResult {
  id: number;
  /** The AST operator that made it, e.g. "compare:<->=" */
  operator: string;
  line: number;
  /** killed: some test failed or errored on the mutant; survived: all passed; timeout: ran out of time. */
  status: "killed" | "survived" | "timeout" | "error";
}

export interface MutationReport {
  total: number;
  killed: number;
  survived: number;
  timeout: number;
  /** killed / run, in [0, 1]; see docs/sandbox.md for how timeouts count. */
  score: number;
  mutants: MutantResult[];
}

export interface CoverageReport {
  /** Fractions in [0, 1] of the code module's lines and branches executed by the tests. */
  line: number;
  branch: number;
  lines_total: number;
  lines_covered: number;
  branches_total: number;
  branches_covered: number;
  missing_lines: number[];
}

export interface ExecRequest {
  /** The module under test (written as `<module>.py`). */
  code: string;
  /** The pytest file (written as `test_<module>.py`). */
  tests: string;
  /** Module name the tests import; default "solution". */
  module?: string;
  /** Wall-clock limit for the test run in seconds (default from the pool). */
  timeout_s?: number;
  /** Also run the tests against mutants of the code (only when the run passed). */
  mutants?: boolean;
  /** Also measure line and branch coverage of the code (coverage.py). */
  coverage?: boolean;
  /** Extra files to write next to the code, e.g. conftest-free helpers a source needs. */
  files?: Record<string, string>;
  /** At most this many mutants (a seeded sample over the operator families; default: all). */
  max_mutants?: number;
  /** Run these mutants instead of generating them from the code (each a full module source). */
  mutant_list?: MutantSource[];
}

/** A mutant given by the caller (the executor generates its own when none are given). */
export interface MutantSource {
  id: number;
  operator: string;
  line: number;
  source: string;
}

export interface ExecResult {
  status: Outcome;
  tests: TestResult[];
  /** Number of assertions that ran and passed (plain asserts and pytest.raises/approx checks). */
  assertions: number;
  stdout: string;
  stderr: string;
  /** Wall time of the test run, seconds. */
  duration_s: number;
  /** How the run was isolated; "none" only when the user asked for it. */
  isolation: "bubblewrap" | "none";
  /** A short human explanation for non-passing statuses (which rule rejected it, which signal...). */
  detail: string;
  mutation?: MutationReport;
  coverage?: CoverageReport;
}

export type Isolation = "bubblewrap" | "none";
