/**
 * `testtune score` scores each sample by its task's kind: through the CLI with the real
 * sandbox, a tasks file mixing unit_test and solve tasks; each line carries task_id, kind,
 * passed, score and outcome, and unit_test lines keep every field they had.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { mayBeChosen } from "../../src/train/prefs.js";
import { packageRoot } from "../../src/util/paths.js";

const dir = mkdtempSync(join(tmpdir(), "testtune-kinds-score-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const cli = join(packageRoot, "dist", "src", "cli", "main.js");

const CODE = "def add(a, b):\n    return a + b\n";
const TESTS = "from solution import add\n\n\ndef test_small():\n    assert add(1, 2) == 3\n\n\ndef test_zero():\n    assert add(0, 0) == 0\n";
const tasks = [
  { id: "t/add", source: "test", code: CODE, entry_points: ["add"], tests: TESTS },
  { id: "t/add/solve", source: "test", kind: "solve", code: CODE, entry_points: ["add"], tests: TESTS, description: "Return a plus b." },
];
const samples = [
  { task_id: "t/add", sample_index: 0, completion: TESTS },
  { task_id: "t/add/solve", sample_index: 0, completion: "```python\ndef add(a, b):\n    return a + b\n```" },
  { task_id: "t/add/solve", sample_index: 1, completion: "def add(a, b):\n    return a * b\n" },
  { task_id: "t/add/solve", sample_index: 2, completion: "def add(a, b)\n    return a + b\n" },
];

test("each score line carries task_id, kind, passed, score and outcome", () => {
  const tasksFile = join(dir, "tasks.jsonl");
  const samplesFile = join(dir, "samples.jsonl");
  const out = join(dir, "scores.jsonl");
  writeFileSync(tasksFile, tasks.map((t) => JSON.stringify(t)).join("\n") + "\n");
  writeFileSync(samplesFile, samples.map((s) => JSON.stringify(s)).join("\n") + "\n");
  const run = spawnSync(process.execPath, [cli, "score", "--tasks", tasksFile, "--samples", samplesFile, "--out", out, "--reward", "staged", "--workers", "1", "--quiet"], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr + run.stdout);
  const lines = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  const byKey = new Map(lines.map((l) => [`${String(l.task_id)}#${String(l.sample_index)}`, l]));
  const unit = byKey.get("t/add#0") as Record<string, unknown>;
  assert.deepEqual([unit.kind, unit.passed, unit.score, unit.outcome, unit.status, unit.valid, unit.reward], ["unit_test", true, 1, "passed", "passed", true, 1]);
  assert.equal(typeof unit.static_assertions, "number"); // the test-file scorer's own fields stay
  const good = byKey.get("t/add/solve#0") as Record<string, unknown>;
  assert.deepEqual([good.kind, good.passed, good.score, good.outcome, good.compiled, good.valid, good.reward], ["solve", true, 1, "passed", true, true, 1]);
  const wrong = byKey.get("t/add/solve#1") as Record<string, unknown>;
  assert.deepEqual([wrong.passed, wrong.score, wrong.outcome, wrong.reward], [false, 0.5, "wrong_output", 0.5]); // add(0, 0) == 0 still passes
  const broken = byKey.get("t/add/solve#2") as Record<string, unknown>;
  assert.deepEqual([broken.passed, broken.score, broken.outcome, broken.compiled], [false, 0, "syntax_error", false]);
});

test("preference pairs: a test file must be valid to be chosen, a code answer needs a pass rate above 0", () => {
  const line = { task_id: "t", status: "failed" as const, valid: false, reward: 0.5 };
  assert.equal(mayBeChosen({ ...line, kind: "solve" } as never), true);
  assert.equal(mayBeChosen({ ...line, kind: "solve", reward: 0 } as never), false);
  assert.equal(mayBeChosen({ ...line, kind: "unit_test" } as never), false);
  assert.equal(mayBeChosen({ ...line } as never), false);
  assert.equal(mayBeChosen({ ...line, valid: true } as never), true);
});
