/**
 * What the code-writing kinds (solve, complete, bugfix) share: the answer is a Python module
 * that replaces the code under test, and the task's reference tests judge it in the sandbox.
 *
 * The reference test file is run with a guard preamble (python/testtune_executor/
 * answer_guard.py) that fails a test whose call returned an object of a class the answer made
 * (one that can say `==` to anything), rebound a builtin, or read the test file; together with
 * the sandbox's own rules (an exit or tampering with pytest is `rejected`) an answer that games
 * the tests instead of computing the result scores 0 (docs/kinds.md).
 *
 * The outcome taxonomy (CODE_OUTCOMES) is decided from the sandbox's verdict and its per-test
 * messages; the score is the pass rate of the reference tests.
 */
import { cutAtEndMarker, insertImport, splitFences } from "../prompts/extract.js";
import { execWithRetry } from "../quality/score.js";
import type { ExecRequest, ExecResult, TestResult } from "../sandbox/types.js";
import type { Task } from "../tasks/schema.js";
import type { KindCheck, KindContext } from "./kind.js";

export const CODE_OUTCOMES = [
  "passed", // every reference test passed
  "wrong_output", // it ran, and some test's assertion (or pytest.raises) failed
  "runtime_error", // an exception other than a failed assertion, at import or in a call; or the process died
  "missing_entry_point", // the tests could not import a function the task asks for
  "syntax_error", // the answer is not valid Python
  "timeout", // the wall-clock or CPU limit
  "memory", // the memory limit
  "gamed", // the answer gamed the tests: faked a comparison, rebound a builtin, read the tests, exited or tampered with pytest
  "no_code", // no code found in the completion
  "sandbox_error", // ours: the sandbox failed twice; never trained on (reward null upstream)
] as const;
export type CodeOutcome = (typeof CODE_OUTCOMES)[number];

/** Message prefix of python/testtune_executor/answer_guard.py's failures. */
export const GUARD_MARKER = "testtune answer guard:";

const PYTHON_LANGS = new Set(["", "python", "py", "python3"]);
const NEXT_HEADER = /^### /m;
const ASSERTION_FAILURE = /^(?:assert |AssertionError|Failed: DID NOT RAISE|E\s+assert )/;

function definesName(code: string, name: string): boolean {
  return new RegExp(`^(?:async[ \\t]+)?def[ \\t]+${name}\\b|^class[ \\t]+${name}\\b`, "m").test(code);
}

/**
 * The code in a completion: the longest Python fenced block that defines the task's first
 * entry point, else the first non-empty Python block; without fences, the text up to the next
 * `### ` header (a base model that runs on into another prompt). Cut at a chat end marker
 * first. Empty when there is none.
 */
export function extractCode(completion: string, task?: Pick<Task, "entry_points">): string {
  const text = cutAtEndMarker(completion);
  const { fences } = splitFences(text);
  const python = fences.filter((f) => PYTHON_LANGS.has(f.lang) && f.body.trim() !== "");
  const entry = task?.entry_points[0];
  let body: string;
  if (python.length > 0) {
    const defining = entry === undefined ? [] : python.filter((f) => definesName(f.body, entry));
    body = (defining.length > 0 ? defining.reduce((a, b) => (b.body.length > a.body.length ? b : a)) : (python[0] as { body: string })).body;
  } else if (fences.length > 0) {
    body = "";
  } else {
    const header = NEXT_HEADER.exec(text);
    body = header === null ? text : text.slice(0, header.index);
  }
  const trimmed = body.replace(/^\s*\n/, "").trimEnd();
  return trimmed === "" ? "" : `${trimmed}\n`;
}

function pyString(text: string): string {
  return JSON.stringify(text); // a JSON string of identifier characters is a valid Python literal
}

/** The reference tests with the guard preamble (after any `from __future__` imports). */
export function guardedTests(task: Task): string {
  if (task.tests === undefined) throw new Error(`task ${task.id} has no reference tests`);
  const functions = task.entry_points.filter((e) => /^[A-Za-z_]\w*$/.test(e));
  // a reference that defines classes may return their objects: the returned-object check is off there
  const allowClasses = /^class[ \t]+\w/m.test(task.code) ? "True" : "False";
  const preamble = `from testtune_executor.answer_guard import guard as _testtune_guard\n_testtune_guard(${pyString(task.module)}, [${functions.map(pyString).join(", ")}], allow_classes=${allowClasses})`;
  return insertImport(task.tests, preamble);
}

function isAssertionFailure(test: TestResult): boolean {
  return ASSERTION_FAILURE.test(test.message.trimStart());
}

function outcomeOf(result: ExecResult): CodeOutcome {
  const texts = [result.detail, ...result.tests.map((t) => t.message)];
  if (texts.some((t) => t.includes(GUARD_MARKER))) return "gamed";
  switch (result.status) {
    case "passed":
      return "passed";
    case "syntax_error":
      return "syntax_error";
    case "rejected":
      return "gamed";
    case "timeout":
      return "timeout";
    case "memory":
      return "memory";
    case "sandbox_error":
      return "sandbox_error";
    case "collection_error":
      return /ImportError: cannot import name/.test(result.detail) ? "missing_entry_point" : "runtime_error";
    case "failed":
    case "error": {
      const failing = result.tests.filter((t) => t.outcome === "failed" || t.outcome === "error");
      return failing.length > 0 && failing.every(isAssertionFailure) ? "wrong_output" : "runtime_error";
    }
    default: // crashed, no_tests: the answer killed the process or broke the run
      return "runtime_error";
  }
}

/** Runs `code` as the module under test against the task's guarded reference tests. */
export async function checkCode(task: Task, code: string, ctx: KindContext): Promise<KindCheck> {
  if (code.trim() === "") return { passed: false, score: 0, outcome: "no_code", compiled: false, details: { detail: "no code found in the completion" } };
  const request: ExecRequest = { code, tests: guardedTests(task), module: task.module };
  if (ctx.timeoutS !== undefined) request.timeout_s = ctx.timeoutS;
  const result = await execWithRetry(ctx.executor, request);
  const outcome = outcomeOf(result);
  const total = result.tests.length;
  const passedTests = result.tests.filter((t) => t.outcome === "passed").length;
  const score = outcome === "gamed" || total === 0 ? 0 : passedTests / total;
  return {
    passed: outcome === "passed",
    score,
    outcome,
    compiled: outcome !== "syntax_error",
    details: { status: result.status, tests_total: total, tests_passed: passedTests, detail: result.detail, duration_s: result.duration_s },
  };
}

/** A code kind's reward: the reference tests' pass rate (0 for a gamed answer). */
export function passRateReward(check: KindCheck): number {
  return check.score;
}

/** The `def` line(s) of a top-level function, up to its colon; undefined when the code has none. */
export function signatureOf(code: string, name: string): string | undefined {
  const start = new RegExp(`^(?:async[ \\t]+)?def[ \\t]+${name}[ \\t]*\\(`, "m").exec(code);
  if (start === null) return undefined;
  let depth = 0;
  for (let i = start.index + start[0].length - 1; i < code.length; i++) {
    const c = code[i];
    if (c === "(" || c === "[" || c === "{") depth += 1;
    else if (c === ")" || c === "]" || c === "}") depth -= 1;
    else if (c === ":" && depth === 0) return code.slice(start.index, i + 1);
  }
  return undefined;
}

/** The signatures of a task's entry-point functions, one per line (classes and missing names left out). */
export function signatures(task: Pick<Task, "code" | "entry_points">): string {
  return task.entry_points.flatMap((name) => signatureOf(task.code, name) ?? []).join("\n");
}
