import assert from "node:assert/strict";
import { test } from "node:test";
import { computeModelResults, type ScoredSample } from "../../src/eval/results.js";
import { summarize } from "../../src/eval/summary.js";
import type { Manifest } from "../../src/pipeline/manifest.js";
import { renderHtml } from "../../src/report/html.js";
import { renderMarkdown } from "../../src/report/markdown.js";
import { strengthTable } from "../../src/report/tables.js";

const manifest = { name: "r", testtune: { version: "0", git_sha: null }, seeds: { run: 1 }, python: { libraries: {}, torch: { cuda: false } }, stages: {} } as unknown as Manifest;

function s(task: string, valid: boolean, score: number, extra: Partial<ScoredSample> = {}): ScoredSample {
  return { task_id: task, status: valid ? "passed" : "failed", valid, reward: 0, mutation: { score, total: 4 }, assertions: 2, distinct_assertions: 2, distinct_inputs: 1, ...extra };
}

test("the report shows strong@k, the valid files' mutation scores, checks and inputs, and the strong@1 comparison", () => {
  const sft = computeModelResults("sft", [s("a", true, 0.5), s("a", false, 0), s("b", false, 0), s("b", false, 0)], [1, 2], ["a", "b"], 0.8);
  const grpo = computeModelResults("grpo_strength", [s("a", true, 1), s("a", true, 0.75), s("b", true, 1, { distinct_inputs: 3 }), s("b", false, 0)], [1, 2], ["a", "b"], 0.8);
  const summary = summarize([sft, grpo], { ks: [1, 2], seed: 3, testtuneVersion: "0.0.0" });
  const table = strengthTable(summary);
  // grpo_strength: per task n = 2 with one strong sample: strong@1 = 1/2, strong@2 = 1 - C(1,2)/C(2,2) = 1
  assert.deepEqual(table?.header.slice(0, 3), ["model", "strong@1", "strong@2"]);
  assert.deepEqual(table?.rows[1], ["grpo_strength", "50.0%", "100.0%", "3", "87.5% / 100.0% / 100.0%", "2.00", "2.00", "1.67"]);
  const md = renderMarkdown(summary, manifest);
  assert.match(md, /## Test strength/);
  assert.match(md, /kills at least 80\.0% of the task's mutants/);
  assert.match(md, /\| grpo_strength vs sft \| strong@1 \| 0\.0% \| 50\.0% \| \+50\.0 \|/);
  const html = renderHtml(summary, manifest);
  assert.match(html, /<h2>Test strength<\/h2>/);
  assert.match(html, /Mutation scores of valid files/);
});

test("a run evaluated without mutants has no strength section", () => {
  const plain = summarize([computeModelResults("sft", [s("a", true, 1)], [1], ["a"])], { ks: [1], seed: 3, testtuneVersion: "0.0.0" });
  assert.equal(strengthTable(plain), null);
  assert.doesNotMatch(renderMarkdown(plain, manifest), /Test strength/);
  assert.doesNotMatch(renderHtml(plain, manifest), /Test strength/);
});
