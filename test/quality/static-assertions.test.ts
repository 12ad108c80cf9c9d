/**
 * Static facts of test files: concurrent calls share analysing processes and each still gets
 * its own answers, in order (the reward service calls this once per request, from many clients).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { analyseTestFiles } from "../../src/quality/static-assertions.js";

function file(asserts: number): { source: string; module: string; entry_points: string[] } {
  return { source: `from solution import f\n\ndef test_it():\n${"    assert f(1) == 1\n".repeat(asserts)}`, module: "solution", entry_points: ["f"] };
}

const BROKEN = { source: "def broken(:\n", module: "solution", entry_points: ["f"] };

test("30 calls at once each get their own facts, in order, nulls where a file does not parse", async () => {
  const calls = Array.from({ length: 30 }, (_, i) => [file(i + 1), BROKEN, file(2 * i + 1)]);
  const answers = await Promise.all(calls.map((files) => analyseTestFiles(files)));
  answers.forEach((facts, i) => assert.deepEqual(facts.map((f) => f?.count ?? null), [i + 1, null, 2 * i + 1], `call ${i}`));
  assert.ok(answers.every((facts) => facts[0]?.uses_module === true && facts[0].shadowed.length === 0));
  assert.deepEqual(await analyseTestFiles([]), []);
  assert.deepEqual((await analyseTestFiles([file(3)])).map((f) => f?.count), [3], "a call after the burst starts a process of its own");
});
