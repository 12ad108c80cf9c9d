import assert from "node:assert/strict";
import { test } from "node:test";
import { failureLog, MAX_FAILING_TESTS, MAX_LOG_CHARS } from "../../src/quality/failure-log.js";
import type { TestResult } from "../../src/sandbox/types.js";

const t = (name: string, outcome: TestResult["outcome"], message = ""): TestResult => ({ nodeid: `test_solution.py::${name}`, outcome, duration_s: 0, message });

test("the log of a failed run names the outcome and each failing test's assertion, not the passing ones", () => {
  const log = failureLog({ status: "failed", tests: [t("test_a", "failed", "assert 3 == 4\n +  where 3 = add(1, 2)"), t("test_b", "passed"), t("test_c", "failed", "TypeError: bad operand")], detail: "" });
  assert.equal(log, "outcome: failed (2 of 3 tests failed)\ntest_a: assert 3 == 4\n +  where 3 = add(1, 2)\ntest_c: TypeError: bad operand");
});

test("a collection error keeps pytest's E lines: the exception, without the traceback", () => {
  const detail = "test_solution.py: ImportError while importing test module\nTraceback:\n/usr/lib/python3.11/importlib/__init__.py:126: in import_module\n    return _bootstrap._gcd_import(name[level:], package, level)\nE   ImportError: cannot import name 'nope' from 'solution'";
  assert.equal(failureLog({ status: "collection_error", tests: [], detail }), "outcome: collection_error\nImportError: cannot import name 'nope' from 'solution'");
});

test("long logs are cut: a few failing tests, each message and the whole log bounded", () => {
  const tests = Array.from({ length: 10 }, (_, i) => t(`test_${i}`, "failed", "x".repeat(1000)));
  const log = failureLog({ status: "failed", tests, detail: "" });
  assert.ok(log.length <= MAX_LOG_CHARS);
  assert.equal((log.match(/^test_\d: /gm) ?? []).length, MAX_FAILING_TESTS);
});

test("a run that passed has no failure log", () => {
  assert.equal(failureLog({ status: "passed", tests: [t("test_a", "passed")], detail: "" }), "");
});
