/**
 * Synthetic repair traces in the real sandbox: the broken file fails at its edited assertion
 * while the reference passes, the trace's log is the one refine would show, tasks that cannot
 * give a trace are counted by reason, and the same seed gives the same traces.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { SandboxError } from "../../src/errors.js";
import { failureLog } from "../../src/quality/failure-log.js";
import { SandboxPool } from "../../src/sandbox/pool.js";
import { taskSchema, type Task } from "../../src/tasks/schema.js";
import { SKIP, SYNTHETIC_SOURCE, syntheticTraces } from "../../src/train/synthetic-traces.js";
import { readTraces } from "../../src/train/traces.js";

const code = "def f(x):\n    return x * 2\n";
const task = (id: string, fields: Record<string, unknown>): Task => taskSchema.parse({ id, source: "test", code, entry_points: ["f"], ...fields });

const GOOD = task("t/good", { tests: "from solution import f\n\n\ndef test_small():\n    assert f(1) == 2\n\n\ndef test_big():\n    assert f(10) == 20\n" });
// an assertion with its own message (HumanEval writes many): pytest's log starts with the message
const WITH_MESSAGE = task("t/message", { tests: 'from solution import f\n\n\ndef test_f():\n    assert f(1) == 2, "f doubles"\n' });
const NO_TESTS = task("t/none", {});
const NO_EDIT = task("t/noedit", { tests: "from solution import f\n\n\ndef test_f():\n    assert f(1) > 0\n" });
const FAILING_REFERENCE = task("t/wrong", { tests: "from solution import f\n\n\ndef test_f():\n    assert f(1) == 3\n" });
const OTHER_KIND = task("t/solve", { kind: "solve", tests: GOOD.tests });
// the edited assertion's failure is turned into another exception: it fails, but not at the edit
const SWALLOWED = task("t/swallowed", { tests: 'from solution import f\n\n\ndef test_f():\n    try:\n        assert f(1) == 2\n    except AssertionError:\n        raise ValueError("no")\n' });
// 10**20 + 1 written as an int still equals the float 1e20: the edit changes nothing
const UNCHANGED = task("t/float", { code: "def f(x):\n    return 1e20\n", tests: "from solution import f\n\n\ndef test_f():\n    assert f(1) == 1e20\n" });

let pool: SandboxPool;
const dir = mkdtempSync(join(tmpdir(), "synthetic-traces-"));
before(async () => {
  pool = await SandboxPool.start({ workers: 2, defaultTimeoutS: 15 });
});
after(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

test("a trace's broken file fails at the edited assertion, the reference passes, and the log is refine's", async () => {
  const { traces, counts } = await syntheticTraces([GOOD], pool, { perTask: 2, seed: 3 });
  assert.equal(traces.length, 2);
  assert.deepEqual([counts.tasks, counts.tasks_with_traces, counts.traces], [1, 1, 2]);
  assert.deepEqual(new Set(traces.map((t) => t.edit.test)), new Set(["test_small", "test_big"]));
  for (const trace of traces) {
    assert.equal(trace.fixed_test, GOOD.tests);
    assert.equal(trace.source, SYNTHETIC_SOURCE);
    assert.deepEqual([trace.round, trace.reward, trace.code, trace.module], [1, null, GOOD.code, "solution"]);
    assert.equal((await pool.exec({ code, tests: trace.fixed_test })).status, "passed");
    const broken = await pool.exec({ code, tests: trace.failed_test });
    assert.equal(broken.status, "failed");
    assert.equal(trace.failure_log, failureLog(broken));
    // the log names the failing test and shows the edited comparison: the value and the wrong literal
    const value = trace.edit.test === "test_small" ? "2" : "20";
    assert.match(trace.failure_log, new RegExp(`^outcome: failed \\(1 of 2 tests failed\\)\\n${trace.edit.test}: assert ${value} == ${trace.edit.after}\\b`));
  }
});

test("tasks that cannot give a trace and edits that do not fail at the edit are counted by reason", async () => {
  const { traces, counts } = await syntheticTraces([NO_TESTS, NO_EDIT, FAILING_REFERENCE, OTHER_KIND, SWALLOWED, UNCHANGED, WITH_MESSAGE, GOOD], pool, { perTask: 1, seed: 1 });
  assert.deepEqual(traces.map((t) => t.task_id), ["t/message", "t/good"]);
  assert.match(traces[0]?.failure_log ?? "", /test_f: AssertionError: f doubles\nassert 2 == [13]\b/);
  assert.deepEqual(counts.tasks_skipped, { [SKIP.noTests]: 1, [SKIP.noEdit]: 1, [SKIP.reference]: 1, [SKIP.kind]: 1 });
  assert.deepEqual(counts.edits_dropped, { [SKIP.otherFailure]: 1, [SKIP.notFailed]: 1 });
  assert.deepEqual([counts.tasks, counts.tasks_with_traces, counts.traces], [8, 2, 2]);
});

test("the same seed gives the same traces, whatever other tasks are in the file; readTraces accepts them", async () => {
  const twin = task("t/twin", { tests: "from solution import f\n\n\ndef test_f():\n    assert f(1) == 2\n    assert f(2) == 4\n    assert f(3) == 6\n    assert f('a') == 'aa'\n" });
  const first = await syntheticTraces([twin, GOOD], pool, { perTask: 1, seed: 11 });
  const again = await syntheticTraces([GOOD, twin], pool, { perTask: 1, seed: 11 });
  assert.deepEqual(again.traces.find((t) => t.task_id === "t/twin"), first.traces.find((t) => t.task_id === "t/twin"));
  const seeds = await Promise.all([12, 13, 14, 15].map((seed) => syntheticTraces([twin], pool, { perTask: 1, seed })));
  assert.ok(seeds.some((s) => s.traces[0]?.failed_test !== first.traces[0]?.failed_test), "another seed edits another place");
  const file = join(dir, "traces.jsonl");
  writeFileSync(file, first.traces.map((t) => JSON.stringify(t)).join("\n"));
  const read = await readTraces(file);
  assert.deepEqual(read.map((t) => [t.task_id, t.failed_test, t.fixed_test, t.failure_log]), first.traces.map((t) => [t.task_id, t.failed_test, t.fixed_test, t.failure_log]));
});

test("a sandbox that fails twice on a file stops the run with a sandbox error, never a skipped task", async () => {
  let calls = 0;
  const broken = {
    exec: async () => {
      calls += 1;
      return { status: "sandbox_error" as const, tests: [], assertions: 0, stdout: "", stderr: "", duration_s: 0, isolation: "bubblewrap" as const, detail: "executor died" };
    },
  };
  await assert.rejects(syntheticTraces([GOOD], broken, { perTask: 1, seed: 1 }), (e: unknown) => e instanceof SandboxError && /executor died/.test(e.message) && /run the same command again/.test(e.hint ?? ""));
  assert.equal(calls, 4, "the reference and the broken file, each retried once");
});
