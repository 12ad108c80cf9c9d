import assert from "node:assert/strict";
import { test } from "node:test";
import { computeModelResults, type ScoredSample } from "../../src/eval/results.js";
import { chooseBaseline, summarize } from "../../src/eval/summary.js";

const s = (task_id: string, valid: boolean, mutation?: number): ScoredSample => ({
  task_id,
  status: valid ? "passed" : "failed",
  valid,
  reward: valid ? 1 : 0,
  ...(mutation === undefined ? {} : { mutation: { score: mutation } }),
});

test("pass@k, valid rate and mutation score come from per-task counts", () => {
  const scores = [s("a", true, 0.5), s("a", false), s("b", false), s("b", false)];
  const r = computeModelResults("m", scores, [1, 2], ["a", "b"]);
  assert.equal(r["pass@1"], 0.25); // a: 1/2, b: 0/2
  assert.equal(r.pass_at_k["pass@2"], 0.5); // a: 1, b: 0
  assert.equal(r.valid_rate, 0.25);
  assert.equal(r.mean_mutation_score, 0.125); // a: (0.5 + 0) / 2, b: 0
  assert.equal(r.valid_mutation_score, 0.5); // the one valid sample's
  assert.deepEqual(r.status_counts, { passed: 1, failed: 3 });
  assert.equal(r.samples_per_task, 2);
});

test("a task without samples is an error, not a silent zero", () => {
  assert.throws(() => computeModelResults("m", [s("a", true)], [1], ["a", "b"]), /task 'b' has no scored samples/);
});

test("a score for a task outside the eval set is an error", () => {
  assert.throws(() => computeModelResults("m", [s("zzz", true)], [1], ["a"]), /unknown task 'zzz'/);
});

test("k larger than the samples per task is refused", () => {
  assert.throws(() => computeModelResults("m", [s("a", true)], [2], ["a"]), /at least 2 samples/);
});

test("models are compared with sft when it was evaluated, else the first, or the one asked for", () => {
  assert.equal(chooseBaseline(["base", "sft", "dpo"]), "sft");
  assert.equal(chooseBaseline(["base", "dpo"]), "base");
  assert.equal(chooseBaseline(["base", "sft", "dpo"], "dpo"), "dpo");
  assert.equal(chooseBaseline(["base"], "sft"), undefined);
  const tasks = ["a", "b"];
  const results = [
    computeModelResults("base", [s("a", false), s("b", false)], [1], tasks),
    computeModelResults("sft", [s("a", true, 0.5), s("b", false)], [1], tasks),
    computeModelResults("dpo", [s("a", true, 0.5), s("b", true, 1)], [1], tasks),
  ];
  const summary = summarize(results, { ks: [1], seed: 7, testtuneVersion: "0.0.0" });
  assert.equal(summary.baseline, "sft");
  const pass1 = summary.comparisons.filter((c) => c.metric === "pass@1");
  assert.deepEqual(pass1.map((c) => [c.model, c.baseline, c.mean_diff]), [["base", "sft", -0.5], ["dpo", "sft", 0.5]]);
  assert.equal(summarize(results.slice(0, 1), { ks: [1], seed: 7, testtuneVersion: "0.0.0" }).baseline, null);
});
