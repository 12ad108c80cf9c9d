/**
 * A scored sample: what one run of a generated test file against the reference code told us,
 * reduced to what rewards and metrics read. Built from the sandbox's ExecResult.
 */
import type { ExecResult, Outcome, TestResult } from "../sandbox/types.js";

export interface TestCounts {
  total: number;
  passed: number;
  failed: number;
  error: number;
  /** skipped, xfailed and xpassed: neither a pass nor a failure. */
  other: number;
}

export interface ScoredSample {
  status: Outcome;
  tests: TestCounts;
  /** Assertions that ran and passed (the sandbox's runtime count). */
  assertions: number;
  /** Checks written in the file (static count); null when the file does not parse. */
  static_assertions: number | null;
  /** Mutation score in [0, 1] and how many mutants it was measured on, when measured. */
  mutation?: { score: number; total: number; killed: number; equivalent?: number };
  /** Line and branch coverage of the reference code in [0, 1], when measured. */
  coverage?: { line: number; branch: number };
  /** Whether the file tests the module under test rather than a copy (static, target.py); absent when not analysed. */
  target?: TargetCheck;
}

export interface TargetCheck {
  /** Entry points the file rebinds (its own copy, a monkeypatch): its tests may check those instead. */
  shadowed: string[];
  /** The file refers to the module under test outside its imports. */
  uses_module: boolean;
}

/** Why a file that passed does not test the code under test; undefined when it does (or was not analysed). */
export function targetProblem(target: TargetCheck | undefined): string | undefined {
  if (target === undefined) return undefined;
  if (target.shadowed.length > 0) return `tests its own ${target.shadowed.join(", ")}: the file rebinds the entry point(s) of the module under test`;
  if (!target.uses_module) return "never calls into the module under test";
  return undefined;
}

export function countTests(tests: TestResult[]): TestCounts {
  const counts: TestCounts = { total: tests.length, passed: 0, failed: 0, error: 0, other: 0 };
  for (const t of tests) {
    if (t.outcome === "passed" || t.outcome === "failed" || t.outcome === "error") counts[t.outcome] += 1;
    else counts.other += 1;
  }
  return counts;
}

/**
 * Valid: at least one test ran, every test passed on the reference code, at least one
 * assertion ran, and the file tests the module under test (it neither rebinds an entry point
 * to a copy nor ignores the module: see targetProblem). Only a valid file says something true
 * about the code; everything a reward gives beyond format credit depends on it.
 */
export function isValid(sample: ScoredSample): boolean {
  return (
    sample.status === "passed" && sample.tests.passed >= 1 && sample.tests.failed + sample.tests.error === 0 && sample.assertions >= 1 &&
    targetProblem(sample.target) === undefined
  );
}

/** A ScoredSample from a sandbox result and the file's static assertion count. */
export function toScoredSample(result: ExecResult, staticAssertions: number | null): ScoredSample {
  const sample: ScoredSample = {
    status: result.status,
    tests: countTests(result.tests),
    assertions: result.assertions,
    static_assertions: staticAssertions,
  };
  if (result.mutation !== undefined) {
    sample.mutation = { score: result.mutation.score, total: result.mutation.total, killed: result.mutation.killed };
  }
  if (result.coverage !== undefined) sample.coverage = { line: result.coverage.line, branch: result.coverage.branch };
  return sample;
}
