import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { packageRoot } from "../../src/util/paths.js";
import { run } from "../../src/util/subprocess.js";
import { fixture, scratch } from "./fixtures.js";

const cli = (...args: string[]) => run(process.execPath, [join(packageRoot, "dist", "src", "cli", "main.js"), "data", ...args], { timeoutMs: 120_000 });

test("data prepare then data stats, end to end through the command line", async () => {
  const out = scratch();
  const prepared = await cli("prepare", "--source", "humaneval", "--input", fixture("humaneval-sample.jsonl"), "--out", out, "--eval-fraction", "0");
  assert.equal(prepared.exitCode, 0, prepared.stderr);
  assert.match(prepared.stdout, /^3 tasks \(3 with reference tests\), 3 SFT pairs -> /);
  const stats = await cli("stats", join(out, "tasks.jsonl"));
  assert.equal(stats.exitCode, 0, stats.stderr);
  assert.match(stats.stdout, /3 tasks, 3 with reference tests\nsplits: train 3/);
  assert.match(stats.stdout, /humaneval\s+3\s+3/);
  const json = await cli("stats", join(out, "tasks.jsonl"), "--json");
  assert.equal((JSON.parse(json.stdout) as { with_tests: number }).with_tests, 3);
});

test("user mistakes print one error line and a hint, never a stack", async () => {
  const unknown = await cli("prepare", "--source", "humaneval2", "--out", scratch());
  assert.equal(unknown.exitCode, 1);
  assert.match(unknown.stderr, /^error: unknown source 'humaneval2'\nHINT: --source takes one of: humaneval, mbpp/);
  const missing = await cli("prepare", "--source", "mbpp", "--input", "/nonexistent/mbpp.jsonl", "--out", scratch());
  assert.match(missing.stderr, /^error: \/nonexistent\/mbpp\.jsonl: not found\nHINT: pass the downloaded file/);
  const wrongFile = await cli("prepare", "--source", "mbpp", "--input", fixture("humaneval-sample.jsonl"), "--out", scratch());
  assert.match(wrongFile.stderr, /humaneval-sample\.jsonl line 1: column 'code': missing/);
  assert.ok(![unknown, missing, wrongFile].some((r) => r.stderr.includes("    at ")));
});
