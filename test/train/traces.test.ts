import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { DataError } from "../../src/errors.js";
import { buildRepairPrompt } from "../../src/prompts/repair.js";
import { readTraces, traceSftRow } from "../../src/train/traces.js";

const trace = { task_id: "t/1", code: "def f(x):\n    return x + 1\n", failed_test: "from solution import f\n\ndef test_f():\n    assert f(1) == 3\n", failure_log: "outcome: failed (1 of 1 tests failed)\ntest_f: assert 2 == 3", fixed_test: "from solution import f\n\ndef test_f():\n    assert f(1) == 2\n", round: 1, reward: 0.5 };

function tracesFile(lines: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), "traces-")), "traces.jsonl");
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

test("a trace file is read with its defaults (module solution)", async () => {
  const [read] = await readTraces(tracesFile([JSON.stringify(trace)]));
  assert.equal(read?.module, "solution");
  assert.equal(read?.fixed_test, trace.fixed_test);
});

for (const [label, line, field] of [
  ["a missing fixed_test", JSON.stringify({ ...trace, fixed_test: undefined }), "fixed_test"],
  ["a round that is not a positive integer", JSON.stringify({ ...trace, round: 0 }), "round"],
  ["a code that is not a string", JSON.stringify({ ...trace, code: 42 }), "code"],
] as const) {
  test(`a trace with ${label} is an error naming the line and the field`, async () => {
    const file = tracesFile([JSON.stringify(trace), line]);
    await assert.rejects(readTraces(file), (e: unknown) => e instanceof DataError && e.location === "line 2" && e.message.includes(`field '${field}'`) && /refine|training\.md/.test(e.hint ?? ""));
  });
}

test("a line that is not JSON and an empty file are errors naming the file", async () => {
  await assert.rejects(readTraces(tracesFile([JSON.stringify(trace), "{not json"])), (e: unknown) => e instanceof DataError && e.location === "line 2");
  await assert.rejects(readTraces(tracesFile([""])), (e: unknown) => e instanceof DataError && /no traces/.test(e.message));
});

test("a trace trains the fixed file on the repair prompt, which shows the code, the failing file and its log", () => {
  const row = traceSftRow({ ...trace, module: "solution" });
  assert.equal(row.completion, trace.fixed_test);
  for (const part of [trace.code.trim(), trace.failed_test.trim(), "test_f: assert 2 == 3"]) assert.ok(row.prompt.includes(part), part);
  assert.ok(row.prompt.endsWith("### Tests\n"), "the repair prompt ends like the plain one");
  assert.equal(row.prompt, buildRepairPrompt({ module: "solution", code: trace.code, failed_test: trace.failed_test, failure_log: trace.failure_log }));
});
