/**
 * End to end through the real sandbox (isolation none, one worker): `testtune score` is
 * interrupted with Ctrl-C and resumed, and `testtune serve-rewards` answers a request.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { packageRoot } from "../../src/util/paths.js";

const dir = mkdtempSync(join(tmpdir(), "testtune-score-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const cli = join(packageRoot, "dist", "src", "cli", "main.js");
const CODE = "def add(a, b):\n    return a + b\n";
// each run sleeps a little, so the interruption lands while samples are still being scored
const SLOW_TESTS = "import time\nfrom solution import add\n\n\ndef test_add():\n    time.sleep(0.4)\n    assert add(1, 2) == 3\n";
const tasksFile = join(dir, "tasks.jsonl");
writeFileSync(tasksFile, `${JSON.stringify({ id: "t/add", source: "test", code: CODE, entry_points: ["add"] })}\n`);

function start(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(condition(), `gave up waiting for ${what}`);
}

function scoreLines(file: string): { sample_index: number; status: string; valid: boolean }[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as { sample_index: number; status: string; valid: boolean });
}

test("score stops on Ctrl-C and a second run completes it without duplicate lines", async () => {
  const samplesFile = join(dir, "samples.jsonl");
  const outFile = join(dir, "scores.jsonl");
  const samples = Array.from({ length: 8 }, (_, i) => JSON.stringify({ task_id: "t/add", sample_index: i, completion: SLOW_TESTS }));
  writeFileSync(samplesFile, `${samples.join("\n")}\n`);
  const args = ["score", "--tasks", tasksFile, "--samples", samplesFile, "--out", outFile, "--isolation", "none", "--workers", "1", "--quiet"];

  const first = start(args);
  await until(() => scoreLines(outFile).length >= 1, "the first score line");
  first.child.kill("SIGINT");
  assert.equal(await first.exited, 130, first.output());
  assert.match(first.output(), /interrupted: run the same command again/);
  const partial = scoreLines(outFile).length;
  assert.ok(partial < 8, `the interruption came after ${partial} of 8 samples`);

  const second = start(args);
  assert.equal(await second.exited, 0, second.output());
  assert.match(second.output(), new RegExp(`scored ${8 - partial} samples \\(${partial} already in`));
  const lines = scoreLines(outFile);
  assert.deepEqual(lines.map((l) => l.sample_index).sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.ok(lines.every((l) => l.status === "passed" && l.valid));
});

test("serve-rewards scores a request through the sandbox and stops on SIGTERM", async () => {
  const server = start(["serve-rewards", "--tasks", tasksFile, "--port", "0", "--isolation", "none", "--workers", "1", "--reward", "staged"]);
  await until(() => /reward service on (http:\S+)/.test(server.output()), "the service to start");
  const url = (/reward service on (http:\S+)/.exec(server.output()) as RegExpExecArray)[1] as string;
  const passing = "from solution import add\n\ndef test_add():\n    assert add(1, 2) == 3\n";
  const failing = "from solution import add\n\ndef test_add():\n    assert add(1, 2) == 4\n";
  const res = await fetch(`${url}/v1/score`, { method: "POST", body: JSON.stringify({ task_ids: ["t/add", "t/add"], completions: [passing, failing] }) });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { scores: number[]; details: { status: string }[] };
  assert.deepEqual(body.scores, [1, 0.3]);
  assert.deepEqual(body.details.map((d) => d.status), ["passed", "failed"]);
  const unknown = await fetch(`${url}/v1/score`, { method: "POST", body: JSON.stringify({ task_ids: ["nope"], completions: [passing] }) });
  assert.equal(unknown.status, 404);
  server.child.kill("SIGTERM");
  assert.equal(await server.exited, 0, server.output());
});

test("score refuses an unknown reward preset and a samples line naming an unknown task", async () => {
  const bad = start(["score", "--tasks", tasksFile, "--samples", tasksFile, "--out", join(dir, "x.jsonl"), "--reward", "best"]);
  assert.equal(await bad.exited, 1);
  assert.match(bad.output(), /--reward must be one of quality, staged, pass_rate, strength, mutation, strong, strong_only, got 'best'/);
  const samplesFile = join(dir, "unknown.jsonl");
  writeFileSync(samplesFile, `${JSON.stringify({ task_id: "t/add", completion: "" })}\n${JSON.stringify({ task_id: "t/zzz", completion: "" })}\n`);
  const unknown = start(["score", "--tasks", tasksFile, "--samples", samplesFile, "--out", join(dir, "y.jsonl"), "--isolation", "none", "--workers", "1"]);
  assert.equal(await unknown.exited, 1);
  assert.match(unknown.output(), /unknown\.jsonl line 2: field 'task_id': task 't\/zzz' is not in .*tasks\.jsonl/);
  assert.doesNotMatch(unknown.output(), /internal error|at .*\.js:\d+/);
});

test("a reward that pays only for mutants killed is refused without mutants, naming the fix", async () => {
  const samples = join(dir, "one.jsonl");
  writeFileSync(samples, `${JSON.stringify({ task_id: "t/add", completion: "" })}\n`);
  const score = start(["score", "--tasks", tasksFile, "--samples", samples, "--out", join(dir, "m.jsonl"), "--reward", "mutation", "--isolation", "none", "--workers", "1"]);
  const serve = start(["serve-rewards", "--tasks", tasksFile, "--reward", "mutation", "--no-mutants", "--isolation", "none", "--workers", "1", "--port", "0"]);
  for (const run of [score, serve]) {
    assert.equal(await run.exited, 1);
    assert.match(run.output(), /--reward mutation pays only for mutants killed: without mutants every file would earn 0/);
    assert.match(run.output(), /add --mutants/);
    assert.doesNotMatch(run.output(), /internal error|at .*\.js:\d+/);
  }
  assert.equal(existsSync(join(dir, "m.jsonl")), false, "nothing was scored");
});
