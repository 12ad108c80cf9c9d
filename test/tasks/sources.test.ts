import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { DataError, UsageError } from "../../src/errors.js";
import { sourceByName } from "../../src/tasks/sources/index.js";
import { fixture, loadOptions, scratch } from "./fixtures.js";
import { pytestExitCodes } from "./pytest-batch.js";

const load = (name: string, input: string | undefined, extra = {}) => sourceByName(name).load(loadOptions(input, extra));
const run = (tasks: { code: string; tests?: string; module: string }[]) => pytestExitCodes(tasks.map((t) => ({ code: t.code, tests: t.tests ?? "", module: t.module })));

test("humaneval: code is prompt + solution, check() becomes a pytest test that passes", async () => {
  const { tasks, rows } = await load("humaneval", fixture("humaneval-sample.jsonl"));
  assert.equal(rows, 3);
  assert.deepEqual(tasks.map((t) => t.id), ["humaneval/0", "humaneval/1", "humaneval/2"]);
  const [first, second, third] = tasks;
  assert.ok(first?.code.includes("def below_threshold(l: List[int], t: int) -> bool:") && first.code.includes("        if e >= t:"));
  assert.ok(first?.tests?.startsWith("from solution import below_threshold\n\n\ndef test_below_threshold():\n    assert below_threshold([1, 2, 4, 10], 100)\n"));
  assert.ok(!first?.tests?.includes("METADATA") && !first?.tests?.includes("candidate"));
  assert.match(second?.tests ?? "", /^from solution import derivative_at, poly$/m, "helpers the test uses are imported too");
  assert.match(third?.tests ?? "", /^test_even\.__test__ = False/m, "a function named test_* is not collected as a test");
  assert.deepEqual(await run(tasks), [0, 0, 0]);
});

test("humaneval: a row without its column or without check() is a DataError naming the row", async () => {
  const dir = scratch();
  writeFileSync(join(dir, "he.jsonl"), `${JSON.stringify({ task_id: "HumanEval/9", prompt: "def f():\n", entry_point: "f", test: "def check(candidate):\n    pass\n" })}\n`);
  await assert.rejects(load("humaneval", join(dir, "he.jsonl")), (e: unknown) => e instanceof DataError && /he\.jsonl line 1: column 'canonical_solution': missing/.test(e.message));
  writeFileSync(join(dir, "he2.jsonl"), `${JSON.stringify({ task_id: "HumanEval/9", prompt: "def f():\n", canonical_solution: "    return 1\n", entry_point: "f", test: "assert f() == 1\n" })}\n`);
  await assert.rejects(load("humaneval", join(dir, "he2.jsonl")), (e: unknown) => e instanceof DataError && /column 'test': no 'def check\(candidate\):'/.test(e.message));
});

test("mbpp: setup code, challenge tests and names from the code are in the test file; a wrong expectation fails", async () => {
  const { tasks, drops } = await load("mbpp", fixture("mbpp-sample.jsonl"));
  assert.deepEqual(drops, []);
  assert.deepEqual(tasks.map((t) => t.id), ["mbpp/2", "mbpp/19", "mbpp/367", "mbpp/601", "mbpp/642"]);
  const byId = new Map(tasks.map((t) => [t.id, t]));
  assert.ok(!byId.get("mbpp/2")?.code.includes("\r"));
  assert.equal(byId.get("mbpp/2")?.description, "Write a function to find the shared elements from the given two lists.");
  assert.match(byId.get("mbpp/367")?.tests ?? "", /^from solution import is_tree_balanced, Node$/m);
  assert.match(byId.get("mbpp/367")?.tests ?? "", /^root = Node\(1\)/m);
  assert.match(byId.get("mbpp/601")?.tests ?? "", /def test_max_chain_length_challenge\(\):/);
  assert.equal(byId.get("mbpp/601")?.metadata.mbpp_split, "train");
  assert.deepEqual(await run(tasks), [0, 0, 0, 0, 1]);
});

test("kodcode-v1: verified rows kept with subset, entry points from test_info; unverified dropped", async () => {
  const adapter = sourceByName("kodcode");
  assert.match(adapter.license ?? "", /CC BY-NC 4\.0/);
  const { tasks, drops } = await adapter.load(loadOptions(fixture("kodcode-v1-sample.parquet")));
  assert.deepEqual(tasks.map((t) => [t.id, t.category, t.entry_points]), [
    ["kodcode/Prefill_1_I", "Prefill", ["add"]],
    ["kodcode/Leetcode_2_I", "Leetcode", ["is_even"]],
  ]);
  assert.deepEqual(drops.map((d) => [d.id, d.reason]), [["kodcode/Apps_3_C", "unverified (no GPT-4o trial passed)"]]);
  assert.equal(tasks[0]?.metadata.gpt_difficulty, "easy");
  assert.deepEqual(await run(tasks), [0, 0]);
});

test("kodcode-v1-sft-r1: test_code and test_entry_point are read; the use_with_caution split is dropped", async () => {
  const { tasks, drops } = await load("kodcode", fixture("kodcode-sft-r1-sample.parquet"));
  assert.deepEqual(tasks.map((t) => [t.id, t.entry_points, t.metadata.r1_correctness]), [
    ["kodcode/Prefill_1_I", ["add"], "True"],
    ["kodcode/Filter_2_I", ["twice"], "False"],
  ]);
  assert.deepEqual(drops.map((d) => d.reason), ["use_with_caution split"]);
  assert.deepEqual(await run(tasks), [0, 0]);
});

test("testgeneval: tasks needing their repository are skipped and counted unless an environment is given", async () => {
  const without = await load("testgeneval", fixture("testgeneval-sample.parquet"));
  assert.deepEqual(without.tasks.map((t) => [t.id, t.module, t.entry_points]), [["testgeneval/example__calc-1-0", "calc", ["mean"]]]);
  assert.deepEqual(without.drops.map((d) => [d.id, d.reason]), [["testgeneval/example__pkg-2-0", "needs its repository environment (pass --repo-env)"]]);
  const calc = without.tasks[0];
  assert.deepEqual(Object.keys(calc?.metadata.preds_context as object), ["none", "preamble", "first", "last_minus_one", "last"]);
  assert.deepEqual(await run(without.tasks), [0]);
  const env = scratch();
  const withEnv = await load("testgeneval", fixture("testgeneval-sample.parquet"), { repoEnv: env });
  assert.equal(withEnv.tasks.length, 2);
  assert.equal(withEnv.tasks[1]?.metadata.needs_repo_env, true);
  assert.equal(withEnv.tasks[1]?.metadata.repo_env, env);
  assert.equal(withEnv.tasks[1]?.metadata.module_path, "pkg.mod");
});

test("tinytests as a source makes exactly --limit tasks with the eval fraction held out", async () => {
  const { tasks } = await load("tinytests", undefined, { limit: 10, evalFraction: 0.2 });
  assert.equal(tasks.filter((t) => t.split === "train").length, 8);
  assert.equal(tasks.filter((t) => t.split === "eval").length, 2);
});

test("an unknown source and a row-based source without --input or network say what to do", async () => {
  assert.throws(() => sourceByName("nope"), (e: unknown) => e instanceof UsageError && /humaneval, mbpp, kodcode, testgeneval, corpus, tinytests/.test(e.hint ?? ""));
  await assert.rejects(load("corpus", undefined), (e: unknown) => e instanceof UsageError && /--input/.test(e.message));
});
