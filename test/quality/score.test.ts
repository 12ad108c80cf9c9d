import assert from "node:assert/strict";
import { test } from "node:test";
import { scoreCompletions, scoreSamples, sampleKey, type SampleScore } from "../../src/quality/score.js";
import { taskSchema } from "../../src/tasks/schema.js";
import { FakeExecutor } from "./fake-executor.js";

const task = taskSchema.parse({ id: "t/1", source: "test", code: "def add(a, b):\n    return a + b\n", entry_points: ["add"] });
const PASSING = "from solution import add\n\ndef test_add():\n    assert add(1, 2) == 3\n\ndef test_zero():\n    assert add(0, 0) == 0\n";
const settings = { reward: "quality" as const, mutants: false, coverage: false };

test("a passing file with assertions is valid and runs against the task's code and module", async () => {
  const executor = new FakeExecutor();
  const [rec] = await scoreCompletions([{ task, completion: `\`\`\`python\n${PASSING}\`\`\`` }], executor, { ...settings, timeoutS: 7 });
  assert.deepEqual(executor.requests, [{ code: task.code, tests: PASSING, module: "solution", mutants: false, coverage: false, timeout_s: 7 }]);
  assert.deepEqual(rec, {
    task_id: "t/1",
    status: "passed",
    tests: { total: 2, passed: 2, failed: 0, error: 0, other: 0 },
    assertions: 2,
    static_assertions: 2,
    valid: true,
    reward: 1,
    reward_preset: "quality",
    extraction: "fenced",
    distinct_assertions: 2,
    distinct_inputs: 2,
    detail: "",
    duration_s: 0.01,
  });
});

test("mutants and coverage are requested and feed the quality reward", async () => {
  const executor = new FakeExecutor();
  const [rec] = await scoreCompletions([{ task, completion: PASSING }], executor, { ...settings, mutants: true, coverage: true });
  // the verdict and coverage first; then the probe that fixes the task's mutants; then the mutants
  assert.equal(executor.requests[0]?.mutants, false);
  assert.equal(executor.requests[0]?.coverage, true);
  const [, probe, mutants] = executor.requests;
  assert.ok(probe?.files?.["_probe_reference.py"] === task.code && probe.mutant_list !== undefined && probe.mutant_list.length > 1);
  assert.deepEqual(mutants?.mutant_list, probe.mutant_list.slice(1), "the mutant the probe could not tell apart is left out");
  assert.deepEqual(rec?.mutation, { score: 0.75, total: 4, killed: 3, equivalent: 1 });
  assert.deepEqual(rec?.coverage, { line: 0.5, branch: 0.25 });
  assert.ok(Math.abs((rec?.reward ?? 0) - (0.5 + 0.4 * 0.75 + 0.1 * 0.5)) < 1e-12);
});

test("a completion without a test file and a file that does not parse are not run", async () => {
  const executor = new FakeExecutor();
  const [none, syntax] = await scoreCompletions(
    [
      { task, completion: "I cannot write tests for this." + "<|im_end|>" },
      { task, completion: "def test_add(:\n    assert add(1, 2) == 3\n" },
    ],
    executor,
    { ...settings, reward: "staged" },
  );
  assert.equal(executor.requests.length, 0);
  assert.deepEqual([none?.extraction, none?.status], ["raw", "syntax_error"], "prose is taken raw and is not Python");
  assert.equal(syntax?.status, "syntax_error");
  assert.equal(syntax?.static_assertions, null);
  assert.equal(syntax?.reward, 0);
  const [empty] = await scoreCompletions([{ task, completion: "   " }], executor, settings);
  assert.equal(executor.requests.length, 0);
  assert.deepEqual([empty?.status, empty?.extraction, empty?.reward, empty?.detail], ["no_tests", "none", 0, "no test file found in the completion"]);
});

test("an import added by extraction is recorded on the score", async () => {
  const executor = new FakeExecutor();
  const [rec] = await scoreCompletions([{ task, completion: "def test_add():\n    assert add(1, 2) == 3\n" }], executor, settings);
  assert.deepEqual(rec?.added_imports, ["add"]);
  assert.match(executor.requests[0]?.tests ?? "", /^from solution import add\n/);
});

test("a file that asserts nothing passes but earns nothing", async () => {
  const [rec] = await scoreCompletions([{ task, completion: "from solution import add\n\ndef test_add():\n    add(1, 2)\n" }], new FakeExecutor(), settings);
  assert.deepEqual([rec?.status, rec?.static_assertions, rec?.valid, rec?.reward], ["passed", 0, false, 0]);
});

test("a sandbox error is retried once; a second one gives a null reward", async () => {
  const executor = new FakeExecutor();
  const [retried] = await scoreCompletions([{ task, completion: `${PASSING}# flaky-sandbox\n` }], executor, settings);
  assert.equal(executor.requests.length, 2);
  assert.equal(retried?.status, "passed");
  const broken = { exec: async () => ({ ...(await new FakeExecutor().exec({ code: "", tests: "# status: sandbox_error" })) }) };
  const [failed] = await scoreCompletions([{ task, completion: PASSING }], broken, settings);
  assert.deepEqual([failed?.status, failed?.reward, failed?.valid], ["sandbox_error", null, false]);
});

test("records come back in input order whatever order runs finish in", async () => {
  const completions = ["# status: failed\n", "", "# status: timeout\n", ""].map((marker) => `${PASSING}${marker}`);
  const recs = await scoreCompletions(completions.map((completion) => ({ task, completion })), new FakeExecutor(), { ...settings, reward: "staged" });
  assert.deepEqual(recs.map((r) => r.status), ["failed", "passed", "timeout", "passed"]);
  assert.deepEqual(recs.map((r) => r.reward), [0.3, 1, 0.1, 1]);
});

test("scoreSamples skips done keys, keeps sample index and line, and holds back sandbox errors", async () => {
  const tasks = new Map([[task.id, task]]);
  const samples = [
    { line: 1, sample: { task_id: "t/1", completion: PASSING, sample_index: 0 } },
    { line: 2, sample: { task_id: "t/1", completion: PASSING, sample_index: 1 } },
    { line: 3, sample: { task_id: "t/1", completion: `${PASSING}# status: sandbox_error\n` } },
    { line: 4, sample: { task_id: "t/1", completion: `${PASSING}# status: failed\n` } },
  ];
  const written: SampleScore[] = [];
  const progress: [number, number][] = [];
  const summary = await scoreSamples({
    ...settings,
    tasks,
    samples,
    executor: new FakeExecutor(),
    done: new Set([sampleKey("t/1", 0, 1)]),
    onScore: (s) => void written.push(s),
    onProgress: (done, total) => void progress.push([done, total]),
    batchSize: 2,
  });
  assert.equal(summary.scored, 2);
  assert.equal(summary.skipped, 1);
  assert.deepEqual(summary.sandboxErrors.map((s) => s.sample_line), [3]);
  assert.deepEqual(written.map((s) => [s.sample_index, s.sample_line, s.status]).sort(), [[1, 2, "passed"], [null, 4, "failed"]].sort());
  assert.deepEqual(Object.keys(written[0] ?? {}).slice(0, 3), ["task_id", "sample_index", "sample_line"]);
  assert.deepEqual(progress.at(-1), [3, 3]);
});

test("sample keys use the index when there is one, the line otherwise", () => {
  assert.equal(sampleKey("a", 3, 10), "a#3");
  assert.equal(sampleKey("a", undefined, 10), "line:10");
  assert.equal(sampleKey("a", null, 10), "line:10");
});

test("the mutants a passing file let survive are recorded with their operator, line and mutated line", async () => {
  const executor = new FakeExecutor();
  const [rec] = await scoreCompletions([{ task, completion: PASSING }], executor, { ...settings, mutants: true });
  const run = executor.requests.at(-1)?.mutant_list ?? [];
  const survivor = run[0]; // the fake reports the first listed mutant as survived, the rest killed
  assert.ok(survivor !== undefined);
  assert.deepEqual(rec?.missed_mutants, [{ operator: survivor.operator, line: survivor.line, mutated: (survivor.source.split("\n")[survivor.line - 1] ?? "").trim() }]);
  const [failing] = await scoreCompletions([{ task, completion: `${PASSING}# status: failed\n` }], executor, { ...settings, mutants: true });
  assert.equal(failing?.missed_mutants, undefined, "a file that fails on the reference runs no mutants");
});
