import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { DataError } from "../../src/errors.js";
import { codeHash, dedupByCode } from "../../src/tasks/dedup.js";
import { readTasks, writeTasks } from "../../src/tasks/io.js";
import { importBlock, namesToImport, topLevelNames } from "../../src/tasks/python-names.js";
import type { Task } from "../../src/tasks/schema.js";
import { assignSplits, hashFraction, seededOrder } from "../../src/tasks/split.js";
import { computeStats, formatStats, percentile } from "../../src/tasks/stats.js";
import { scratch } from "./fixtures.js";

const make = (id: string, code: string, extra: Partial<Task> = {}): Task => ({ id, source: "s", code, module: "solution", entry_points: [], metadata: {}, ...extra });

test("dedup ignores comments, blank lines, trailing spaces and line endings, and keeps the first", () => {
  assert.equal(codeHash("def f():\r\n    return 1  \r\n"), codeHash("# a comment\ndef f():\n\n    return 1\n"));
  assert.notEqual(codeHash("def f():\n    return 1\n"), codeHash("def f():\n  return 1\n"));
  const { kept, drops } = dedupByCode([make("a", "x = 1\n"), make("b", "x = 2\n"), make("c", "x = 1  # same\n".replace("  # same", ""))]);
  assert.deepEqual(kept.map((t) => t.id), ["a", "b"]);
  assert.deepEqual(drops, [{ id: "c", reason: "duplicate code", detail: "same code as a" }]);
});

test("splits come from a hash of seed and id: stable per task, near the requested fraction, kept when set", () => {
  const tasks = Array.from({ length: 2000 }, (_, i) => make(`t/${i}`, `x = ${i}\n`));
  const split = assignSplits(tasks, 7, 0.2);
  const evalShare = split.filter((t) => t.split === "eval").length / tasks.length;
  assert.ok(evalShare > 0.17 && evalShare < 0.23, `eval share ${evalShare}`);
  const fewer = assignSplits(tasks.slice(0, 100), 7, 0.2);
  assert.deepEqual(fewer.map((t) => t.split), split.slice(0, 100).map((t) => t.split), "a task's split does not depend on the others");
  assert.equal(assignSplits([make("x", "y", { split: "test" })], 7, 1)[0]?.split, "test");
  assert.notDeepEqual(assignSplits(tasks, 8, 0.2).map((t) => t.split), split.map((t) => t.split));
  const fraction = hashFraction(1, "a");
  assert.ok(fraction >= 0 && fraction < 1);
  assert.deepEqual(seededOrder(tasks.slice(0, 50), 3).map((t) => t.id), seededOrder([...tasks.slice(0, 50)].reverse(), 3).map((t) => t.id));
});

test("nearest-rank percentiles and per-source/category counts", () => {
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50), 5);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90), 9);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99), 10);
  assert.equal(percentile([], 50), 0);
  const stats = computeStats([make("a", "a\nb\n", { tests: "t\n", category: "x", split: "train" }), make("b", "a\n", { category: "x", split: "eval" }), make("c", "a\nb\nc\n", { source: "o" })], () => 10);
  assert.equal(stats.tasks, 3);
  assert.equal(stats.with_tests, 1);
  assert.deepEqual(stats.by_split, { train: 1, eval: 1, none: 1 });
  assert.deepEqual(stats.by_source, { s: { tasks: 2, with_tests: 1 }, o: { tasks: 1, with_tests: 0 } });
  assert.deepEqual(stats.by_category["s/x"], { tasks: 2, with_tests: 1 });
  assert.deepEqual(stats.code_lines, { count: 3, mean: 2, p50: 2, p90: 3, p99: 3, max: 3 });
  assert.equal(stats.tokens?.max, 10);
  assert.match(formatStats(stats), /3 tasks, 1 with reference tests/);
});

test("top-level names and the names a test needs from the module", () => {
  const code = "import os.path\nimport numpy as np\nfrom x import (a, b as c)\nLIMIT: int = 3\nx, y = 1, 2\ndef f():\n    inner = 1\nclass K:\n    pass\nprint(LIMIT == 3)\n";
  assert.deepEqual([...topLevelNames(code)].sort(), ["K", "LIMIT", "a", "c", "f", "np", "os", "x", "y"]);
  assert.deepEqual(namesToImport(code, "def test_f():\n    import os\n    assert f() is None and K and LIMIT\n", ["f"]), ["f", "K", "LIMIT"]);
  assert.equal(importBlock("solution", ["test_x", "y"]), "from solution import test_x, y\ntest_x.__test__ = False  # code under test, not a pytest test");
});

test("tasks files round-trip, and a bad line names the file, the line and the field", async () => {
  const dir = scratch();
  const file = join(dir, "tasks.jsonl");
  const tasks = [make("a", "x = 1\n", { tests: "t", split: "train" }), make("b", "y = 2\n")];
  writeTasks(file, tasks);
  assert.deepEqual(await readTasks(file), tasks);
  writeFileSync(file, `${JSON.stringify(tasks[0])}\n${JSON.stringify({ ...tasks[1], split: "holdout" })}\n`);
  await assert.rejects(readTasks(file), (e: unknown) => e instanceof DataError && e.message.includes(`${file} line 2: field 'split'`));
  writeFileSync(file, `${JSON.stringify(tasks[0])}\n${JSON.stringify(tasks[0])}\n`);
  await assert.rejects(readTasks(file), /line 2: field 'id': duplicate task id a/);
});
