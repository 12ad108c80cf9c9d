import assert from "node:assert/strict";
import { test } from "node:test";
import { computeKindResults } from "../../src/eval/kinds.js";
import { computeModelResults, type ScoredSample } from "../../src/eval/results.js";

const line = (task_id: string, kind: string, valid: boolean, outcome: string, extra: Partial<ScoredSample> = {}): ScoredSample => ({
  task_id,
  kind,
  valid,
  outcome,
  status: valid ? "passed" : "failed",
  reward: valid ? 1 : 0,
  score: valid ? 1 : 0,
  ...extra,
});

test("per-kind rows: pass@k over each kind's tasks, compile rate, mean score and taxonomy counts", () => {
  const scores = [
    line("a/solve", "solve", true, "passed", { compiled: true }),
    line("a/solve", "solve", false, "syntax_error", { compiled: false, score: 0 }),
    line("b/solve", "solve", false, "wrong_output", { compiled: true, score: 0.5 }),
    line("b/solve", "solve", false, "wrong_output", { compiled: true, score: 0 }),
    line("a", "unit_test", true, "passed"),
    line("a", "unit_test", true, "passed"),
  ];
  const rows = computeKindResults(scores, [1, 2]);
  assert.ok(rows !== undefined);
  const solve = rows.solve;
  assert.ok(solve !== undefined);
  assert.equal(solve.tasks, 2);
  assert.equal(solve.samples, 4);
  assert.equal(solve["pass@1"], 0.25); // (1/2 + 0/2) / 2
  assert.equal(solve.pass_at_k["pass@2"], 0.5); // task a has a passing sample in its 2
  assert.equal(solve.compile_rate, 0.75);
  assert.equal(solve.mean_score, 0.375);
  assert.deepEqual(solve.outcome_counts, { passed: 1, syntax_error: 1, wrong_output: 2 });
  assert.equal(solve.hallucination_rate, null);
  assert.equal(rows.unit_test?.["pass@1"], 1);
  assert.equal(rows.unit_test?.compile_rate, null);
});

test("score lines without kinds give no per-kind rows, and the model results stay as they were", () => {
  const plain = [{ task_id: "a", status: "passed" as const, valid: true, reward: 1 }];
  assert.equal(computeKindResults(plain, [1]), undefined);
  assert.equal("kinds" in computeModelResults("m", plain, [1], ["a"]), false);
  const withKind = computeModelResults("m", [line("a/solve", "solve", true, "passed", { compiled: true })], [1], ["a/solve"]);
  assert.equal(withKind.kinds?.solve?.["pass@1"], 1);
});
