import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { alignTasks, compareModels, withHolm } from "../../src/eval/comparison.js";
import { holmAdjust } from "../../src/eval/holm.js";
import { mcnemar } from "../../src/eval/mcnemar.js";
import { passAtK } from "../../src/eval/pass-at-k.js";
import { locateResults, readResults, RESULTS_SCHEMA_VERSION } from "../../src/eval/results-file.js";
import { pairedTTest } from "../../src/eval/t-test.js";
import { wilcoxonSignedRank } from "../../src/eval/wilcoxon.js";
import { writeJson } from "../../src/util/jsonl.js";
import { fiveEach, greedy, modelResults, summaryOf, writeResults } from "./fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "testtune-comparison-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const A = [1, 2, 0, 5, 3, 4, 0, 1];
const B = [2, 2, 1, 5, 5, 3, 1, 3];
const side = (name: string, valid: number[]) => ({ name, per_task: modelResults(name, fiveEach(valid)).per_task });

test("a comparison carries every test, computed on the per-task differences in the baseline's task order", () => {
  const baseline = side("sft", A);
  const model = { name: "dpo", per_task: [...side("dpo", B).per_task].reverse() };
  const c = compareModels(baseline, model, "pass@1", { seed: 1 });
  const diffs = B.map((v, i) => passAtK(5, v, 1) - passAtK(5, A[i] as number, 1));
  assert.equal(c.tasks, 8);
  assert.ok(Math.abs(c.mean_diff - diffs.reduce((s, d) => s + d, 0) / 8) < 1e-12);
  assert.ok(Math.abs(c.baseline_mean - 16 / 40) < 1e-12 && Math.abs(c.model_mean - 22 / 40) < 1e-12);
  assert.deepEqual([c.wins, c.losses, c.ties], [5, 1, 2]);
  assert.deepEqual({ ...c.t_test, p_holm: undefined }, { ...pairedTTest(diffs), p_holm: undefined });
  assert.deepEqual({ ...c.wilcoxon, p_holm: undefined }, { ...wilcoxonSignedRank(diffs), p_holm: undefined });
  assert.ok(c.bootstrap.ci_low <= c.mean_diff && c.mean_diff <= c.bootstrap.ci_high);
  assert.equal(c.sign_flip.statistic, c.mean_diff);
  assert.equal(c.mcnemar, null, "five samples per task are not greedy pass/fail");
});

test("McNemar appears for pass@1 when every task has one sample on both sides", () => {
  const base = { name: "sft", per_task: modelResults("sft", greedy([1, 0, 0, 1, 0, 0])).per_task };
  const model = { name: "dpo", per_task: modelResults("dpo", greedy([1, 1, 1, 0, 1, 0])).per_task };
  const c = compareModels(base, model, "pass@1", { seed: 1 });
  assert.deepEqual({ ...c.mcnemar, p_holm: undefined }, { ...mcnemar([true, false, false, true, false, false], [true, true, true, false, true, false]), p_holm: undefined });
  assert.deepEqual([c.mcnemar?.baseline_only, c.mcnemar?.model_only], [1, 3]);
  assert.equal(compareModels(base, model, "mutation", { seed: 1 }).mcnemar, null, "McNemar is for pass/fail only");
});

test("different task sets are an error that names the tasks on each side", () => {
  const base = modelResults("sft", fiveEach([1, 2, 3])).per_task;
  const other = modelResults("dpo", { t0: [1, 5], t1: [1, 5], x9: [0, 5] }).per_task;
  assert.throws(() => alignTasks(base, other, { baseline: "A:sft", model: "B:dpo" }), /only in A:sft: 1 \(t2\); only in B:dpo: 1 \(x9\)/);
});

test("Holm corrects each test over the models compared on the same metric; one comparison stays uncorrected", () => {
  const base = side("sft", A);
  const models = [side("dpo", B), side("ppo", [1, 3, 0, 5, 4, 4, 1, 1]), side("grpo", [0, 2, 0, 4, 3, 4, 0, 1])];
  const raw = models.flatMap((m) => [compareModels(base, m, "pass@1", { seed: 1 }), compareModels(base, m, "mutation", { seed: 1 })]);
  const adjusted = withHolm(raw);
  const pass1 = adjusted.filter((c) => c.metric === "pass@1");
  const expected = holmAdjust(raw.filter((c) => c.metric === "pass@1").map((c) => c.t_test.p_value));
  assert.deepEqual(pass1.map((c) => c.t_test.p_holm), expected);
  assert.deepEqual(pass1.map((c) => c.wilcoxon.p_holm), holmAdjust(raw.filter((c) => c.metric === "pass@1").map((c) => c.wilcoxon.p_value)));
  assert.ok(pass1.every((c) => (c.sign_flip.p_holm ?? 0) >= c.sign_flip.p_value));
  assert.equal(raw[0]?.t_test.p_holm, null, "the input is not modified");
  assert.equal(withHolm(raw.slice(0, 2))[0]?.t_test.p_holm, null);
});

test("summarize writes schema version 2 with per-task results, and the reader accepts what the writer wrote", () => {
  const summary = summaryOf([modelResults("base", fiveEach(A)), modelResults("sft", fiveEach(B)), modelResults("dpo", fiveEach(A))]);
  assert.equal(summary.schema_version, RESULTS_SCHEMA_VERSION);
  assert.equal(summary.baseline, "sft");
  assert.deepEqual(Object.keys(summary.per_task), ["base", "sft", "dpo"]);
  assert.deepEqual(summary.comparisons.map((c) => `${c.model}:${c.metric}`), ["base:pass@1", "base:mutation", "base:valid_mutation", "dpo:pass@1", "dpo:mutation", "dpo:valid_mutation"]);
  assert.ok(summary.comparisons.every((c) => c.t_test.p_holm !== null), "two models against sft: Holm applies");
  const runDir = join(dir, "run");
  const file = writeResults(runDir, summary);
  assert.equal(locateResults(runDir), file);
  assert.deepEqual(readResults(file), JSON.parse(JSON.stringify(summary)));
  const evalDir = join(dir, "evaldir");
  writeResults(evalDir, summary, "eval");
  assert.equal(locateResults(evalDir), join(evalDir, "results.json"));
});

test("fields the schema does not know are kept, so that additions do not need a new version", () => {
  const summary = summaryOf([modelResults("sft", fiveEach(A))]);
  const file = join(dir, "extra", "results.json");
  writeJson(file, { ...summary, models: summary.models.map((m) => ({ ...m, strength: { kills: 3 } })) });
  assert.deepEqual((readResults(file).models[0] as unknown as { strength: unknown }).strength, { kills: 3 });
});

test("a results.json of another version, without a version, or with a wrong field is an error naming file and field", () => {
  const summary = summaryOf([modelResults("sft", fiveEach(A)), modelResults("dpo", fiveEach(B))]);
  const write = (name: string, value: unknown): string => {
    const file = join(dir, name, "results.json");
    writeJson(file, value);
    return file;
  };
  const v1 = write("v1", { format: 1, ks: [1], baseline: null, models: [], comparisons: [], "pass@1": {} });
  assert.throws(() => readResults(v1), (e: Error & { hint?: string }) => /v1\/results\.json field 'schema_version': is 1, but this testtune reads schema version 2/.test(e.message) && /eval\/status\.json/.test(e.hint ?? ""));
  assert.throws(() => readResults(write("v9", { ...summary, schema_version: 9 })), (e: Error & { hint?: string }) => /is 9/.test(e.message) && /newer testtune/.test(e.hint ?? ""));
  assert.throws(() => readResults(write("none", { models: [] })), /field 'schema_version': is missing/);
  assert.throws(() => readResults(write("array", [1])), /is not a JSON object/);
  const bad = JSON.parse(JSON.stringify(summary));
  bad.comparisons[0].t_test.p_value = 2;
  assert.throws(() => readResults(write("bad", bad)), /field 'comparisons\[0\]\.t_test\.p_value'/);
  const noTasks = JSON.parse(JSON.stringify(summary));
  delete noTasks.per_task.dpo;
  assert.throws(() => readResults(write("notasks", noTasks)), /field 'per_task': has no tasks for model 'dpo'/);
  assert.throws(() => locateResults(join(dir, "nowhere")), /holds no evaluation results/);
});
