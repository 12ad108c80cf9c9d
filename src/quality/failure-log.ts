/**
 * The part of a failing pytest run a model needs to repair its test file: the outcome, and for
 * each failing test its assertion or exception, trimmed so a repair prompt stays short. Tests
 * that passed are left out; so are tracebacks into pytest and the interpreter.
 */
import type { ExecResult } from "../sandbox/types.js";

/** At most this many failing tests are shown: the first ones are usually the same mistake. */
export const MAX_FAILING_TESTS = 3;
/** Characters per failing test's message, and of the whole log. */
export const MAX_MESSAGE_CHARS = 300;
export const MAX_LOG_CHARS = 900;

function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 3)}...`;
}

/** The lines of a pytest error that say what went wrong: the `E ` lines, else the last lines. */
function errorLines(detail: string): string {
  const lines = detail.split("\n");
  const marked = lines.filter((l) => l.startsWith("E ")).map((l) => l.slice(1).trim());
  const chosen = marked.length > 0 ? marked : lines.slice(-3);
  return chosen.join("\n").trim();
}

/** The trimmed failure log of a run; empty for a run that passed. */
export function failureLog(result: Pick<ExecResult, "status" | "tests" | "detail">): string {
  if (result.status === "passed") return "";
  const failing = result.tests.filter((t) => t.outcome === "failed" || t.outcome === "error");
  const parts = [`outcome: ${result.status}`];
  if (failing.length > 0) {
    parts[0] += ` (${failing.length} of ${result.tests.length} tests failed)`;
    for (const test of failing.slice(0, MAX_FAILING_TESTS)) {
      const name = test.nodeid.split("::").slice(1).join("::") || test.nodeid;
      parts.push(`${name}: ${clip(test.message.trim(), MAX_MESSAGE_CHARS)}`);
    }
  } else if (result.detail.trim() !== "") {
    parts.push(clip(errorLines(result.detail), MAX_MESSAGE_CHARS * 2));
  }
  return clip(parts.join("\n"), MAX_LOG_CHARS);
}
