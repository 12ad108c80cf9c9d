/** `testtune data traces` through the command line: a small real run, and user mistakes as errors with a hint. */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { readTraces } from "../../src/train/traces.js";
import { packageRoot } from "../../src/util/paths.js";
import { run } from "../../src/util/subprocess.js";

const dir = mkdtempSync(join(tmpdir(), "testtune-data-traces-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const cli = (...args: string[]) => run(process.execPath, [join(packageRoot, "dist", "src", "cli", "main.js"), "data", "traces", ...args], { timeoutMs: 120_000 });

const code = "def double(x):\n    return x * 2\n";
const tasks = [
  { id: "t/1", source: "test", code, split: "train", tests: "from solution import double\n\n\ndef test_double():\n    assert double(2) == 4\n    assert double('a') == 'aa'\n" },
  { id: "t/2", source: "test", code, split: "train", tests: "from solution import double\n\n\ndef test_double():\n    assert double(2) > 3\n" },
  { id: "t/3", source: "test", code, split: "eval", tests: "from solution import double\n\n\ndef test_double():\n    assert double(3) == 6\n" },
];
const tasksFile = join(dir, "tasks.jsonl");
writeFileSync(tasksFile, `${tasks.map((t) => JSON.stringify(t)).join("\n")}\n`);

/** A user mistake: exit 1, a message and a hint, never a stack trace. */
function refused(r: { exitCode: number | null; stderr: string }, message: RegExp): void {
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, message);
  assert.match(r.stderr, /HINT: /);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

test("data traces writes the train tasks' traces, prints the counts and records its settings", async () => {
  const out = join(dir, "out", "traces.jsonl");
  const r = await cli("--tasks", tasksFile, "--out", out, "--per-task", "2", "--seed", "5", "--workers", "1");
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /^2 traces from 1 of 2 tasks -> .*traces\.jsonl\ntasks skipped, by reason:\n\s+1  no editable assertion/);
  const traces = await readTraces(out);
  assert.deepEqual(traces.map((t) => t.task_id), ["t/1", "t/1"], "eval tasks are left out by default");
  const stats = JSON.parse(readFileSync(join(dir, "out", "traces.stats.json"), "utf8")) as { settings: Record<string, unknown>; counts: { traces: number } };
  assert.deepEqual([stats.settings.seed, stats.settings.per_task, stats.settings.split, stats.counts.traces], [5, 2, "train", 2]);
});

test("a bad line in --tasks is an error naming the file, the line and the field", async () => {
  const bad = join(dir, "bad.jsonl");
  writeFileSync(bad, `${JSON.stringify(tasks[0])}\n${JSON.stringify({ id: "t/9", source: "x", code: 7 })}\n`);
  refused(await cli("--tasks", bad, "--out", join(dir, "x.jsonl")), /bad\.jsonl line 2: field 'code'/);
});

test("wrong flags are refused with the flag named", async () => {
  refused(await cli("--tasks", tasksFile, "--out", join(dir, "x.jsonl"), "--per-task", "0"), /--per-task must be an integer >= 1, got 0/);
  refused(await cli("--tasks", tasksFile, "--out", join(dir, "x.json")), /--out must name a \.jsonl file/);
  refused(await cli("--tasks", tasksFile, "--out", join(dir, "x.jsonl"), "--split", "dev"), /--split must be one of train, eval, all/);
  refused(await cli("--tasks", tasksFile, "--out", join(dir, "x.jsonl"), "--split", "eval", "--limit", "0"), /--limit must be an integer >= 1/);
});

test("the sandbox flags are the scoring commands': --timeout-run-s checked, the old --timeout unknown", async () => {
  const base = ["--tasks", tasksFile, "--out", join(dir, "x.jsonl")];
  refused(await cli(...base, "--timeout-run-s", "0"), /--timeout-run-s must be a positive number, got 0/);
  refused(await cli(...base, "--workers", "0"), /--workers must be a positive integer, got 0/);
  refused(await cli(...base, "--isolation", "docker"), /--isolation must be bubblewrap or none, got 'docker'/);
  refused(await cli(...base, "--timeout", "5"), /unknown flag --timeout for 'data traces'/);
});
