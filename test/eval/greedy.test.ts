/** The greedy results of eval.greedy: pass@1 of one greedy answer per task, overall and per kind with the shared checks. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { computeGreedyResults, type ScoredSample } from "../../src/eval/results.js";

const s = (task_id: string, kind: string, valid: boolean, extra: Record<string, unknown> = {}): ScoredSample =>
  ({ task_id, status: valid ? "passed" : "failed", valid, reward: valid ? 1 : 0, kind, outcome: valid ? "passed" : "wrong_output", score: valid ? 1 : 0, ...extra }) as ScoredSample;

test("greedy pass@1 is the share of tasks whose one greedy answer passes, per kind too", () => {
  const greedy = computeGreedyResults([
    s("a/solve", "solve", true, { compiled: true, hallucination: [], style: 1 }),
    s("b/solve", "solve", false, { compiled: false, hallucination: ["TODO (line 1)"] }),
    s("a/explain", "explain", true, { hallucination: [] }),
    s("b/explain", "explain", true, { hallucination: [] }),
  ]);
  assert.equal(greedy["pass@1"], 0.75);
  assert.equal(greedy.kinds?.["solve"]?.["pass@1"], 0.5);
  assert.equal(greedy.kinds?.["solve"]?.compile_rate, 0.5);
  assert.equal(greedy.kinds?.["solve"]?.hallucination_rate, 0.5);
  assert.equal(greedy.kinds?.["solve"]?.mean_style, 1);
  assert.equal(greedy.kinds?.["explain"]?.["pass@1"], 1);
  assert.equal(greedy.kinds?.["explain"]?.compile_rate, null);
});

test("score lines without kinds give the overall greedy pass@1 alone", () => {
  const plain = computeGreedyResults([{ task_id: "a", status: "passed", valid: true, reward: 1 }, { task_id: "b", status: "failed", valid: false, reward: 0 }]);
  assert.deepEqual(plain, { "pass@1": 0.5 });
});
