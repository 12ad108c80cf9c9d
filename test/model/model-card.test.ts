import assert from "node:assert/strict";
import { test } from "node:test";
import { compareModels } from "../../src/eval/comparison.js";
import type { EvalSummary } from "../../src/eval/summary.js";
import type { AgreementReport } from "../../src/model/agreement.js";
import type { ExportResult } from "../../src/model/export.js";
import { renderModelCard } from "../../src/model/model-card.js";

const agreement: Omit<AgreementReport, "per_prompt"> = {
  version: 1,
  gguf: "/o/run-sft-f16.gguf",
  threads: 1,
  seconds: 2,
  prompts: 24,
  next_token: { same: 24, rate: 1 },
  greedy: { identical: 24, tokens_matched: 700, tokens_compared: 700, token_rate: 1, mean_matched_prefix: 29.2, differences_at_near_ties: 0 },
  tokenization_same: 24,
  near_tie: { margin: 0.12, f16_shift_p90: 0.06 },
};
const result: ExportResult = {
  version: 1,
  out: "/o",
  source: { model: "/m/base", adapter: "/runs/r/sft/final", run: { dir: "/runs/r", stage: "sft" }, name: "r-sft" },
  files: [{ quant: "f16", file: "r-sft-f16.gguf", bytes: 270_885_728, sha256: "a".repeat(64), seconds: 6.9, agreement }],
  f16_reproduces: true,
  template_family: "chatml",
  template_note: undefined,
  seconds: { merge: 3, convert_and_reference: 60, llama_cpp: 20, total: 90 },
};
const model = (name: string, pass1: number) => ({
  model: name, tasks: 164, samples: 328, samples_per_task: 2, "pass@1": pass1, pass_at_k: { "pass@1": pass1, "pass@2": pass1 + 0.02 },
  valid_rate: pass1, mean_mutation_score: 0.1, valid_mutation_score: 0.6, mean_line_coverage: null, mean_reward: 0.1, status_counts: {},
});
const comparison = compareModels(
  { name: "base", per_task: [{ task_id: "a", n: 2, c: 0, mutation: 0, reward: 0 }, { task_id: "b", n: 2, c: 0, mutation: 0, reward: 0 }] },
  { name: "sft", per_task: [{ task_id: "a", n: 2, c: 2, mutation: 0.5, reward: 1 }, { task_id: "b", n: 2, c: 0, mutation: 0, reward: 0 }] },
  "pass@1",
  { seed: 1 },
);
const summary: EvalSummary = {
  schema_version: 2, testtune_version: "0.0.0", seed: 1, ks: [1, 2], baseline: "base", models: [model("base", 0.043), model("sft", 0.12)], "pass@1": { base: 0.043, sft: 0.12 },
  per_task: {}, comparisons: [comparison],
};

test("a run's export card names the stage and adapter, lists files and agreement, and carries the run's evaluation tables", () => {
  const card = renderModelCard({ result, evaluation: { file: "/runs/r/eval/results.json", summary }, baseProvenance: undefined, modelfile: "FROM ./r-sft-f16.gguf\n" });
  assert.match(card, /^# r-sft$/m);
  assert.match(card, /stage `sft` of the testtune run `\/runs\/r`.*LoRA adapter `\/runs\/r\/sft\/final` merged into `\/m\/base`/);
  assert.match(card, /\| r-sft-f16\.gguf \| f16 \| 270\.9 MB \|/);
  assert.match(card, /\| r-sft-f16\.gguf \| 24\/24 \(100\.0%\) \| 24\/24 \| 700\/700 \(100\.0%\) \| 0 \|/);
  assert.match(card, /top-2 logit margin is below 0\.120: twice the 90th percentile \(0\.060\) of how far running the model in float16/);
  assert.match(card, /## Evaluation[\s\S]*\| sft \| 12\.0% \| 14\.0% \|/);
  assert.match(card, /sft vs base \| pass@1 \| 0\.0% \| 50\.0% \| \+50\.0 \|/);
});

test("a directory's export card has no evaluation section and says when the Modelfile has no TEMPLATE", () => {
  const card = renderModelCard({ result: { ...result, source: { model: "/m/x", name: "x" }, template_family: undefined, template_note: "the model has no chat template" }, evaluation: undefined, baseProvenance: undefined, modelfile: "FROM ./x.gguf\n" });
  assert.doesNotMatch(card, /## Evaluation/);
  assert.match(card, /Modelfile: the model has no chat template\./);
});
