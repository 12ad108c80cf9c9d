import assert from "node:assert/strict";
import { test } from "node:test";
import { measuredOnBoth } from "../../src/eval/comparison.js";
import { computeModelResults, type ScoredSample } from "../../src/eval/results.js";
import { computeStrength, isStrong, quantile } from "../../src/eval/strength.js";
import { summarize } from "../../src/eval/summary.js";
import { comparisonTable } from "../../src/report/tables.js";

function s(task: string, valid: boolean, mutation?: number, extra: Partial<ScoredSample> = {}): ScoredSample {
  return { task_id: task, status: valid ? "passed" : "failed", valid, reward: valid ? 1 : 0, ...(mutation === undefined ? {} : { mutation: { score: mutation, total: 5 } }), ...extra };
}

const close = (a: number | null | undefined, b: number): void => assert.ok(a !== null && a !== undefined && Math.abs(a - b) < 1e-12, `${String(a)} is not ${b}`);

test("strong means valid and killing at least the threshold; no mutants means not strong", () => {
  assert.equal(isStrong(s("a", true, 0.8), 0.8), true);
  assert.equal(isStrong(s("a", true, 0.79), 0.8), false);
  assert.equal(isStrong(s("a", false, 1), 0.8), false, "an invalid file is never strong");
  assert.equal(isStrong(s("a", true), 0.8), false, "mutants not run");
  assert.equal(isStrong({ task_id: "a", valid: true, mutation: { score: 0, total: 0 } }, 0), false, "nothing to kill");
});

test("strong@k is hand-computed from the unbiased estimator per task", () => {
  // task a: n=4, strong 2 -> strong@1 = 0.5, strong@2 = 1 - C(2,2)/C(4,2) = 1 - 1/6
  // task b: n=4, strong 0 (one valid but weak, one invalid with a perfect score) -> 0
  const scores = [s("a", true, 1), s("a", true, 0.8), s("a", true, 0.6), s("a", false), s("b", true, 0.2), s("b", false, 1), s("b", false), s("b", false)];
  const r = computeStrength(scores, ["a", "b"], [1, 2], 0.8);
  close(r.strong_at_k["strong@1"], (0.5 + 0) / 2);
  close(r.strong_at_k["strong@2"], (1 - 1 / 6 + 0) / 2);
  assert.equal(r.valid_files_measured, 4);
  // valid files' scores: 0.2, 0.6, 0.8, 1
  close(r.mutation_quantiles?.median, 0.7);
  assert.deepEqual(r.mutation_histogram, [0, 0, 1, 0, 0, 0, 1, 0, 1, 1]);
});

test("assertions, distinct checks and inputs are means over valid files", () => {
  const scores = [
    s("a", true, 1, { assertions: 100, distinct_assertions: 1, distinct_inputs: 1 }),
    s("a", true, 1, { assertions: 4, distinct_assertions: 3, distinct_inputs: 2 }),
    s("a", false, undefined, { assertions: 50, distinct_assertions: 50, distinct_inputs: 50 }),
  ];
  const r = computeStrength(scores, ["a"], [1], 0.8);
  close(r.assertions_per_file, 52);
  close(r.distinct_assertions_per_file, 2);
  close(r.distinct_inputs_per_file, 1.5);
});

test("quantiles interpolate between order statistics", () => {
  close(quantile([0, 1], 0.25), 0.25);
  close(quantile([0.5], 0.9), 0.5);
  assert.throws(() => quantile([], 0.5), RangeError);
});

test("results carry strength metrics and the summary compares strong@1 task by task", () => {
  const base = computeModelResults("sft", [s("a", true, 0.4), s("a", false), s("b", false), s("b", false)], [1], ["a", "b"], 0.8);
  const tuned = computeModelResults("grpo_strength", [s("a", true, 1), s("a", true, 0.9), s("b", true, 0.8), s("b", false)], [1], ["a", "b"], 0.8);
  assert.equal(base.per_task[0]?.strong, 0);
  assert.equal(tuned.per_task[1]?.strong, 1);
  close(tuned.strength?.strong_at_k["strong@1"], (1 + 0.5) / 2);
  const summary = summarize([base, tuned], { ks: [1], seed: 7, testtuneVersion: "0.0.0" });
  const strong = summary.comparisons.find((c) => c.metric === "strong@1");
  close(strong?.mean_diff, 0.75);
  assert.equal(strong?.wins, 2);
  // without a threshold nothing about strength is computed or compared
  const plain = summarize([computeModelResults("a", [s("a", true, 1)], [1], ["a"]), computeModelResults("b", [s("a", true, 1)], [1], ["a"])], { ks: [1], seed: 7, testtuneVersion: "0.0.0" });
  assert.equal(plain.models[0]?.strength, undefined);
  assert.equal(plain.comparisons.some((c) => c.metric === "strong@1"), false);
});

test("the valid files' mutation score is compared only over the tasks both models wrote a valid file for", () => {
  // sft is valid on a and b only; tuned is as strong there (level on a, +0.1 on b) and also valid on
  // the harder c and d with weak files: its mean over valid files falls, its paired difference does not
  const base = computeModelResults("sft", [s("a", true, 0.6), s("a", false), s("b", true, 0.5), s("b", true, 0.7), s("c", false), s("d", false)], [1], ["a", "b", "c", "d"], 0.8);
  const tuned = computeModelResults("rft", [s("a", true, 0.6), s("a", true, 0.6), s("b", true, 0.7), s("b", false), s("c", true, 0.2), s("d", true, 0.1)], [1], ["a", "b", "c", "d"], 0.8);
  close(base.per_task[1]?.valid_mutation, 0.6);
  assert.equal(base.per_task[2]?.valid_mutation, undefined, "no valid file, no value");
  assert.ok((tuned.valid_mutation_score ?? 1) < (base.valid_mutation_score ?? 0), "the unpaired mean mixes in c and d");
  const summary = summarize([base, tuned], { ks: [1], seed: 7, testtuneVersion: "0.0.0" });
  const paired = summary.comparisons.find((c) => c.metric === "valid_mutation");
  assert.equal(paired?.tasks, 2);
  close(paired?.baseline_mean, 0.6);
  close(paired?.model_mean, 0.65);
  close(paired?.mean_diff, 0.05);
  assert.deepEqual([paired?.wins, paired?.losses, paired?.ties], [1, 0, 1]);
  const table = comparisonTable(summary.comparisons);
  assert.ok(table.rows.some((row) => row[1] === "mutation score of valid files (2 tasks valid on both)"));
});

test("the valid files' mutation score is not compared with fewer than two tasks valid on both sides", () => {
  const base = computeModelResults("sft", [s("a", true, 0.6), s("b", false)], [1], ["a", "b"], 0.8);
  const tuned = computeModelResults("rft", [s("a", true, 0.9), s("b", true, 0.5)], [1], ["a", "b"], 0.8);
  assert.equal(measuredOnBoth("valid_mutation", base.per_task, tuned.per_task), false);
  const summary = summarize([base, tuned], { ks: [1], seed: 7, testtuneVersion: "0.0.0" });
  assert.equal(summary.comparisons.some((c) => c.metric === "valid_mutation"), false);
  // results written before the field existed have no per-task value: nothing to compare
  const old = base.per_task.map(({ valid_mutation: _dropped, ...rest }) => rest);
  assert.equal(measuredOnBoth("valid_mutation", old, tuned.per_task), false);
});
