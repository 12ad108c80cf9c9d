import assert from "node:assert/strict";
import { test } from "node:test";
import type { RunResult } from "../../src/sandbox/protocol.js";
import { mergeShards, mutationScore } from "../../src/sandbox/shards.js";
import type { ExecResult } from "../../src/sandbox/types.js";

const main: ExecResult = { status: "passed", tests: [], assertions: 3, stdout: "", stderr: "", duration_s: 0.02, isolation: "bubblewrap", detail: "" };

function shard(statuses: [number, "killed" | "survived" | "timeout" | "error"][], status: RunResult["status"] = "passed", detail = ""): RunResult {
  const mutants = statuses.map(([id, s]) => ({ id, operator: "arith:+ -> -", line: 1, status: s }));
  return {
    status,
    tests: [],
    assertions: 0,
    stdout: "",
    stderr: "",
    duration_s: 0,
    detail,
    mutation: { total: mutants.length, killed: 0, survived: 0, timeout: 0, score: 0, mutants },
  };
}

test("the score counts timeouts as detected and leaves unrunnable mutants out", () => {
  assert.equal(mutationScore(3, 1, 0), 0.75);
  assert.equal(mutationScore(2, 1, 1), 0.75);
  assert.equal(mutationScore(0, 0, 0), 0);
});

test("shards merge into one report, mutants in id order, counts and score recomputed", () => {
  const merged = mergeShards(main, [shard([[0, "killed"], [2, "timeout"], [4, "error"]]), shard([[1, "survived"], [3, "killed"]])]);
  assert.equal(merged.status, "passed");
  assert.equal(merged.assertions, 3);
  assert.deepEqual(merged.mutation?.mutants.map((m) => m.id), [0, 1, 2, 3, 4]);
  assert.deepEqual([merged.mutation?.total, merged.mutation?.killed, merged.mutation?.survived, merged.mutation?.timeout], [5, 2, 1, 1]);
  assert.equal(merged.mutation?.score, 0.75);
});

test("a shard that caught tampering decides the status, before our own failures", () => {
  const merged = mergeShards(main, [shard([], "sandbox_error", "generating mutants failed"), shard([], "rejected", "while running mutant 3: tampering")]);
  assert.equal(merged.status, "rejected");
  assert.match(merged.detail, /mutant 3/);
  assert.equal(merged.mutation, undefined);
  assert.equal(mergeShards(main, [shard([[0, "killed"]]), shard([], "crashed", "the executor died twice")]).status, "crashed");
});
