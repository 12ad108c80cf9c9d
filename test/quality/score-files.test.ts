import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { DataError } from "../../src/errors.js";
import type { RewardPreset } from "../../src/quality/rewards.js";
import { scoreFiles } from "../../src/quality/score-files.js";
import { FakeExecutor } from "./fake-executor.js";

const dir = mkdtempSync(join(tmpdir(), "testtune-score-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const PASSING = "from solution import add\n\ndef test_add():\n    assert add(1, 2) == 3\n";
const tasks = [
  { id: "t/1", source: "test", code: "def add(a, b):\n    return a + b\n", entry_points: ["add"] },
  { id: "t/2", source: "test", code: "def add(a, b):\n    return b + a\n", module: "calc", entry_points: ["add"] },
];

let counter = 0;
function files(sampleLines: unknown[], taskLines: unknown[] = tasks): { tasksFile: string; samplesFile: string; outFile: string } {
  counter += 1;
  const tasksFile = join(dir, `tasks-${counter}.jsonl`);
  const samplesFile = join(dir, `samples-${counter}.jsonl`);
  writeFileSync(tasksFile, taskLines.map((t) => (typeof t === "string" ? t : JSON.stringify(t))).join("\n") + "\n");
  writeFileSync(samplesFile, sampleLines.map((s) => JSON.stringify(s)).join("\n") + "\n");
  return { tasksFile, samplesFile, outFile: join(dir, `scores-${counter}.jsonl`) };
}

function lines(file: string): Record<string, unknown>[] {
  return readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
}

const settings: { reward: RewardPreset; mutants: boolean; coverage: boolean; quiet: boolean } = { reward: "quality", mutants: false, coverage: false, quiet: true };
const eightSamples = Array.from({ length: 8 }, (_, i) => ({ task_id: i % 2 === 0 ? "t/1" : "t/2", sample_index: Math.floor(i / 2), completion: PASSING.replace("solution", i % 2 === 0 ? "solution" : "calc") }));

test("one score line per sample, with the fields the pipeline reads", async () => {
  const paths = files(eightSamples);
  const result = await scoreFiles({ ...paths, ...settings, executor: new FakeExecutor() });
  assert.equal(result.scored, 8);
  assert.equal(result.interrupted, false);
  const out = lines(paths.outFile);
  assert.equal(out.length, 8);
  for (const key of ["task_id", "sample_index", "sample_line", "status", "tests", "assertions", "static_assertions", "valid", "reward", "reward_preset", "extraction"]) {
    assert.ok(key in (out[0] ?? {}), key);
  }
  assert.equal(result.stats.samples, 8);
  assert.equal(result.stats.valid, 8);
});

test("an interrupted run resumes without duplicate or missing lines", async () => {
  const paths = files(eightSamples);
  const controller = new AbortController();
  const executor = new FakeExecutor();
  executor.onExec = (count) => {
    if (count === 5) controller.abort();
  };
  const first = await scoreFiles({ ...paths, ...settings, executor, signal: controller.signal, batchSize: 3 });
  assert.equal(first.interrupted, true);
  const partial = lines(paths.outFile).length;
  assert.ok(partial >= 1 && partial < 8, `wrote ${partial} lines before stopping`);
  // a kill during a write leaves half a line: it is dropped and that sample is scored again
  appendFileSync(paths.outFile, '{"task_id": "t/1", "sample_ind');
  const second = await scoreFiles({ ...paths, ...settings, executor: new FakeExecutor() });
  assert.equal(second.droppedPartialLine, true);
  assert.equal(second.skipped, partial);
  assert.equal(second.scored, 8 - partial);
  const keys = lines(paths.outFile).map((l) => `${String(l.task_id)}#${String(l.sample_index)}`);
  assert.equal(keys.length, 8);
  assert.equal(new Set(keys).size, 8);
  const third = await scoreFiles({ ...paths, ...settings, executor: new FakeExecutor() });
  assert.deepEqual([third.scored, third.skipped], [0, 8]);
  assert.equal(lines(paths.outFile).length, 8);
});

test("samples without an index are keyed by their line", async () => {
  const paths = files([{ task_id: "t/1", completion: PASSING }, { task_id: "t/1", completion: PASSING }]);
  await scoreFiles({ ...paths, ...settings, executor: new FakeExecutor() });
  const again = await scoreFiles({ ...paths, ...settings, executor: new FakeExecutor() });
  assert.equal(again.skipped, 2);
  assert.deepEqual(lines(paths.outFile).map((l) => [l.sample_index, l.sample_line]).sort(), [[null, 1], [null, 2]]);
});

test("sandbox errors are not written, so the next run retries them", async () => {
  const paths = files([{ task_id: "t/1", sample_index: 0, completion: `${PASSING}# status: sandbox_error\n` }]);
  const result = await scoreFiles({ ...paths, ...settings, executor: new FakeExecutor() });
  assert.equal(result.sandboxErrors.length, 1);
  assert.equal(readFileSync(paths.outFile, "utf8"), "");
});

async function rejects(paths: ReturnType<typeof files>, pattern: RegExp, extra: Partial<typeof settings> = {}): Promise<void> {
  await assert.rejects(scoreFiles({ ...paths, ...settings, ...extra, executor: new FakeExecutor() }), (error: unknown) => {
    assert.ok(error instanceof DataError, String(error));
    assert.match(error.message, pattern);
    return true;
  });
}

test("a sample for an unknown task is an error naming the sample line", async () => {
  const paths = files([{ task_id: "t/1", completion: PASSING }, { task_id: "t/9", completion: PASSING }]);
  await rejects(paths, /samples-\d+\.jsonl line 2: field 'task_id': task 't\/9' is not in .*tasks-\d+\.jsonl/);
});

test("bad task and sample lines name the file, the line and the field", async () => {
  await rejects(files([], [tasks[0], { id: "t/3", source: "test" }]), /tasks-\d+\.jsonl line 2: field 'code'/);
  await rejects(files([], [tasks[0], "{not json"]), /tasks-\d+\.jsonl line 2: not valid JSON/);
  await rejects(files([], [tasks[0], tasks[0]]), /line 2: task id 't\/1' already appears on line 1/);
  await rejects(files([{ task_id: "t/1", completion: 3 }]), /samples-\d+\.jsonl line 1: field 'completion'/);
  await rejects(files([{ task_id: "t/1", sample_index: 0, completion: "" }, { task_id: "t/1", sample_index: 0, completion: "" }]), /line 2: field 'sample_index'.*already appears on line 1/);
});

test("resuming with another reward preset is refused", async () => {
  const paths = files([{ task_id: "t/1", sample_index: 0, completion: PASSING }]);
  await scoreFiles({ ...paths, ...settings, executor: new FakeExecutor() });
  await rejects(paths, /field 'reward_preset': scored with 'quality', not 'staged'/, { reward: "staged" });
});
