/**
 * HumanEval's tests are a `check(candidate)` function run against the candidate solution.
 * As a pytest file: the module's names are imported, the check body becomes
 * `def test_<entry_point>():` with `candidate` replaced by the entry point, and everything
 * around `check` (imports, helpers) is kept; the METADATA dict (authorship only) is dropped.
 */
import { importBlock, namesToImport } from "../python-names.js";

const CHECK_HEADER = /^def check\(candidate\):\s*$/;

/** Returns the pytest file, or a reason why the test text cannot be converted. */
export function convertCheck(test: string, entryPoint: string, code: string): { tests: string } | { error: string } {
  const lines = test.split("\n");
  const start = lines.findIndex((l) => CHECK_HEADER.test(l));
  if (start === -1) return { error: "no 'def check(candidate):' in the test" };
  let end = start + 1;
  while (end < lines.length && (lines[end] === "" || /^\s/.test(lines[end] as string))) end += 1;
  const body = lines.slice(start + 1, end).join("\n").replace(/\bcandidate\b/g, entryPoint).trimEnd();
  const before = dropMetadata(lines.slice(0, start)).join("\n").trim();
  const after = lines.slice(end).join("\n").trim();
  if (/\bcheck\s*\(/.test(after)) return { error: "the test calls check() at module level" };
  const testFunction = `def test_${entryPoint}():\n${body}`;
  const rest = [before, testFunction, after].filter((part) => part !== "");
  const imports = importBlock("solution", namesToImport(code, rest.join("\n"), [entryPoint]));
  return { tests: `${[imports, ...rest].join("\n\n\n")}\n` };
}

/** Removes a top-level `METADATA = {...}` assignment. */
function dropMetadata(lines: string[]): string[] {
  const start = lines.findIndex((l) => l.startsWith("METADATA"));
  if (start === -1) return lines;
  let end = start;
  while (end < lines.length && !(lines[end] as string).trimEnd().endsWith("}")) end += 1;
  return [...lines.slice(0, start), ...lines.slice(end + 1)];
}
