/** `testtune compare` through the CLI: the table, the JSON, and every kind of bad input. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { packageRoot } from "../../src/util/paths.js";
import { writeJson } from "../../src/util/jsonl.js";
import { fiveEach, greedy, modelResults, summaryOf, writeResults } from "../eval/fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "testtune-compare-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const cli = join(packageRoot, "dist", "src", "cli", "main.js");

function compare(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, "compare", ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A user mistake: exit 1, a message and a hint, never a stack trace. */
function refused(r: ReturnType<typeof compare>, message: RegExp): void {
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, message);
  assert.match(r.stderr, /HINT: /);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
}

const A = [1, 2, 0, 5, 3, 4, 0, 1, 2, 2];
const B = [2, 2, 1, 5, 5, 3, 1, 3, 4, 2];
// Run A evaluated base and sft; run B evaluated sft and dpo; C is an eval directory of one served model, greedy.
const runA = join(dir, "runA");
const runB = join(dir, "runB");
const evalC = join(dir, "evalC");
const evalD = join(dir, "evalD");
writeResults(runA, summaryOf([modelResults("base", fiveEach(A.map(() => 0))), modelResults("sft", fiveEach(A))]));
writeResults(runB, summaryOf([modelResults("sft", fiveEach(B)), modelResults("dpo", fiveEach(B.map((c) => Math.min(5, c + 1))))]));
writeResults(evalC, summaryOf([modelResults("served", greedy([1, 0, 0, 1, 0, 1, 0, 0, 1, 0]))]), "eval");
writeResults(evalD, summaryOf([modelResults("mine", greedy([1, 1, 1, 1, 0, 1, 1, 0, 1, 1]))]), "eval");

test("compare prints the paired table of the models both runs evaluated, B against A", () => {
  const r = compare(runA, runB);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^A: .*runA\/eval\/results\.json\nB: .*runB\/eval\/results\.json/);
  assert.match(r.stdout, /\| model vs baseline \| metric \| baseline \| model \| difference \(points\) \| 95% CI \| p t-test \| p Wilcoxon \| p sign-flip \| p McNemar \|/);
  assert.match(r.stdout, /\| B:sft vs A:sft \| pass@1 \| 40\.0% \| 56\.0% \| \+16\.0 \| \[\+\d+\.\d, \+\d+\.\d\] \| 0\.\d{3} \| 0\.\d{3} \| 0\.\d{3} \| - \| 6\/1\/3 \|/);
  assert.match(r.stdout, /\| B:sft vs A:sft \| mutation score \|/);
  assert.doesNotMatch(r.stdout, /dpo|A:base/, "only the model in both is compared");
});

test("--json has each test's statistic and p-value under its own name, and the bootstrap interval", () => {
  const r = compare(runA, runB, "--json", "--models", "sft=dpo,sft");
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.pairs, [{ a: "sft", b: "dpo" }, { a: "sft", b: "sft" }]);
  // pass@1, the mutation score and the valid files' mutation score (over the tasks valid on both) per pair
  assert.deepEqual(out.comparisons.map((c: { metric: string }) => c.metric), ["pass@1", "mutation", "valid_mutation", "pass@1", "mutation", "valid_mutation"]);
  const first = out.comparisons[0];
  assert.deepEqual([first.baseline, first.model, first.metric], ["A:sft", "B:dpo", "pass@1"]);
  for (const name of ["t_test", "wilcoxon", "sign_flip"]) {
    assert.equal(typeof first[name].statistic, "number", name);
    assert.ok(first[name].p_value > 0 && first[name].p_value <= 1, name);
    assert.ok(first[name].p_holm >= first[name].p_value, `${name}: two pairs, Holm-adjusted`);
  }
  assert.equal(first.mcnemar, null, "five samples per task");
  assert.ok(first.bootstrap.ci_low < first.mean_diff && first.mean_diff < first.bootstrap.ci_high);
  assert.equal(first.bootstrap.confidence, 0.95);
});

test("two eval directories of one model each are paired as they are, with McNemar for greedy pass@1", () => {
  const r = compare(evalC, evalD, "--json");
  assert.equal(r.code, 0, r.stderr);
  const pass1 = JSON.parse(r.stdout).comparisons[0];
  assert.deepEqual([pass1.baseline, pass1.model], ["A:served", "B:mine"]);
  assert.deepEqual([pass1.mcnemar.baseline_only, pass1.mcnemar.model_only, pass1.mcnemar.method], [0, 4, "exact"]);
  assert.ok(Math.abs(pass1.mcnemar.p_value - 0.125) < 1e-15); // 2 * 0.5^4
});

test("the same seed gives the same JSON", () => {
  assert.equal(compare(runA, runB, "--json", "--seed", "5").stdout, compare(runA, runB, "--json", "--seed", "5").stdout);
});

test("a directory without results, a missing model and unpairable models are refused with the fix", () => {
  refused(compare(runA, join(dir, "missing")), /missing: holds no evaluation results/);
  refused(compare(runA, runB, "--models", "dpo"), /model 'dpo' is not in A \(.*runA\/eval\/results\.json\), which has: base, sft/);
  refused(compare(runA, runB, "--models", "sft=ppo"), /model 'ppo' is not in B/);
  refused(compare(runA, runB, "--models", "a=b=c"), /neither NAME nor NAME_A=NAME_B/);
  refused(compare(runA, evalC), /no model in common: A has base, sft; B has served/);
  refused(compare(runA), /needs <DIR_A> <DIR_B>/);
});

test("runs evaluated on different tasks are refused, naming the tasks on each side", () => {
  const other = join(dir, "other");
  writeResults(other, summaryOf([modelResults("sft", { ...fiveEach(B.slice(0, 9)), extra: [1, 5] })]));
  refused(compare(runA, other), /not evaluated on the same tasks: only in A:sft \(.*\): 1 \(t9\); only in B:sft \(.*\): 1 \(extra\)/);
});

test("a results.json from before the schema version, or with a wrong field, is refused naming the file and field", () => {
  const old = join(dir, "old");
  mkdirSync(old, { recursive: true });
  writeJson(join(old, "results.json"), { format: 1, ks: [1], baseline: null, models: [], comparisons: [], "pass@1": {} });
  refused(compare(old, runB), /old\/results\.json field 'schema_version': is 1, but this testtune reads schema version 2/);
  const broken = join(dir, "broken");
  const summary = JSON.parse(JSON.stringify(summaryOf([modelResults("sft", fiveEach(A))])));
  summary.per_task.sft[0].n = "five";
  writeResults(broken, summary, "eval");
  refused(compare(broken, runB), /broken\/results\.json field 'per_task\.sft\[0\]\.n'/);
});
