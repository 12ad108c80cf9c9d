/**
 * `testtune data export --format verl`: the parquet has verl's columns with the task id as
 * reward_model.ground_truth, read back here with hyparquet (python/tests/test_rewards_verl.py
 * reads it with `datasets`, as verl does); wrong flags are usage errors.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { buildInstruction } from "../../src/prompts/template.js";
import { readParquet } from "../../src/tasks/parquet.js";
import { taskSchema } from "../../src/tasks/schema.js";
import { packageRoot } from "../../src/util/paths.js";
import { run } from "../../src/util/subprocess.js";

const dir = mkdtempSync(join(tmpdir(), "testtune-export-verl-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const tasks = [
  taskSchema.parse({ id: "he/0", source: "humaneval", code: "def add(a, b):\n    return a + b\n", split: "train" }),
  taskSchema.parse({ id: "mbpp/7", source: "mbpp", code: "def neg(x):\n    return -x\n", module: "negate", split: "eval" }),
  taskSchema.parse({ id: "he/1", source: "humaneval", code: "def one():\n    return 1\n", split: "train" }),
];
const tasksFile = join(dir, "tasks.jsonl");
writeFileSync(tasksFile, tasks.map((t) => JSON.stringify(t)).join("\n") + "\n");
const cli = (...args: string[]) => run(process.execPath, [join(packageRoot, "dist", "src", "cli", "main.js"), "data", "export", ...args], { timeoutMs: 60_000 });

async function rows(file: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const { value } of readParquet(file)) out.push(value);
  return out;
}

test("export --format verl writes verl's columns, the task id as ground truth, one row per task of the split", async () => {
  const out = join(dir, "sub", "train.parquet");
  const result = await cli("--format", "verl", "--tasks", tasksFile, "--out", out, "--split", "train");
  assert.equal(result.exitCode, 0, result.stderr);
  assert.match(result.stdout, /2 tasks -> .*train\.parquet/);
  assert.deepEqual(await rows(out), [
    {
      data_source: "testtune/humaneval",
      prompt: [{ role: "user", content: buildInstruction(tasks[0] as (typeof tasks)[0]) }],
      ability: "unit_test",
      reward_model: { style: "rule", ground_truth: "he/0" },
      extra_info: { index: 0, split: "train", task_id: "he/0" },
    },
    {
      data_source: "testtune/humaneval",
      prompt: [{ role: "user", content: buildInstruction(tasks[2] as (typeof tasks)[0]) }],
      ability: "unit_test",
      reward_model: { style: "rule", ground_truth: "he/1" },
      extra_info: { index: 1, split: "train", task_id: "he/1" },
    },
  ]);
  const all = join(dir, "all.parquet");
  assert.equal((await cli("--format", "verl", "--tasks", tasksFile, "--out", all)).exitCode, 0);
  const everything = (await rows(all)) as { reward_model: { ground_truth: string }; prompt: { content: string }[] }[];
  assert.deepEqual(everything.map((r) => r.reward_model.ground_truth), ["he/0", "mbpp/7", "he/1"]);
  assert.match(everything[1]?.prompt[0]?.content ?? "", /Write pytest tests for negate\.py/);
});

test("export refuses an unknown format or split, a non-parquet output and an empty selection", async () => {
  const cases: [string[], RegExp][] = [
    [["--format", "openrlhf", "--tasks", tasksFile, "--out", join(dir, "x.parquet")], /--format must be one of verl, got 'openrlhf'/],
    [["--format", "verl", "--tasks", tasksFile, "--out", join(dir, "x.parquet"), "--split", "test"], /--split must be one of all, train, eval, got 'test'/],
    [["--format", "verl", "--tasks", tasksFile, "--out", join(dir, "x.jsonl")], /--out must name a \.parquet file/],
    [["--format", "verl", "--tasks", join(dir, "missing.jsonl"), "--out", join(dir, "x.parquet")], /missing\.jsonl/],
  ];
  for (const [args, message] of cases) {
    const result = await cli(...args);
    assert.equal(result.exitCode, 1, args.join(" "));
    assert.match(result.stderr, message);
    assert.doesNotMatch(result.stderr, /at .*\.js:\d+/);
  }
  const trainOnly = join(dir, "train-only.jsonl");
  writeFileSync(trainOnly, `${JSON.stringify(tasks[0])}\n`);
  const empty = await cli("--format", "verl", "--tasks", trainOnly, "--out", join(dir, "x.parquet"), "--split", "eval");
  assert.equal(empty.exitCode, 1);
  assert.match(empty.stderr, /no eval tasks in .*train-only\.jsonl/);
});
